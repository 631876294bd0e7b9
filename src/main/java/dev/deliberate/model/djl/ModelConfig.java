package dev.deliberate.model.djl;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model directory's {@code config.json} (snake_case keys): the architecture of {@link CausalTransformer}, the
 * context length, the chat template and the decoding defaults. A trainer writes it with {@link #write(Path)} beside
 * the weights that {@code Model.save} writes; the endpoint reads it with {@link #read(Path)}.
 *
 * @param format {@value #DJL_FORMAT} (the project's {@link CausalTransformer}, weights {@code model-NNNN.params}) or
 *     {@value #TORCHSCRIPT_FORMAT} ({@code model.pt}); unset: TorchScript when {@code model.pt} exists
 * @param vocabSize tokens in the vocabulary; the model's output width
 * @param contextLength the most tokens (prompt plus completion) the model sees; required for every format
 * @param embeddingSize the width of the residual stream
 * @param layers transformer blocks
 * @param heads attention heads per block; {@code embeddingSize} must be a multiple of it
 * @param mlpSize hidden width of each block's MLP; 0 means {@code 4 * embeddingSize}
 * @param tiedHead whether the output head reuses the token embedding (default true)
 * @param layerNormEpsilon default 1e-5
 * @param eosTokenId the token that ends a completion ({@code finish_reason: stop}); none when unset
 * @param chatTemplate how messages become a prompt
 * @param stop stop sequences added to every request's own (default {@code "\nUser:"}, the next turn of the default
 *     template)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelConfig(
        @Nullable String format,
        int vocabSize,
        int contextLength,
        int embeddingSize,
        int layers,
        int heads,
        int mlpSize,
        Boolean tiedHead,
        double layerNormEpsilon,
        @Nullable Integer eosTokenId,
        ChatTemplate chatTemplate,
        List<String> stop) {

    public static final String FILE = "config.json";
    public static final String DJL_FORMAT = "djl";
    public static final String TORCHSCRIPT_FORMAT = "torchscript";

    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    public ModelConfig {
        mlpSize = mlpSize <= 0 ? 4 * embeddingSize : mlpSize;
        tiedHead = tiedHead == null || tiedHead;
        layerNormEpsilon = layerNormEpsilon <= 0 ? 1e-5 : layerNormEpsilon;
        chatTemplate = chatTemplate == null ? ChatTemplate.DEFAULT : chatTemplate;
        stop = stop == null ? List.of("\nUser:") : List.copyOf(stop);
        if (format != null && !format.equals(DJL_FORMAT) && !format.equals(TORCHSCRIPT_FORMAT)) {
            throw new IllegalArgumentException(
                    "format: '" + format + "' is neither " + DJL_FORMAT + " nor " + TORCHSCRIPT_FORMAT);
        }
        if (contextLength < 2) {
            throw new IllegalArgumentException("context_length: must be at least 2, was " + contextLength);
        }
    }

    /** The architecture of a {@link CausalTransformer} with every other value at its default. */
    public static ModelConfig transformer(int vocabSize, int contextLength, int embeddingSize, int layers, int heads) {
        return new ModelConfig(
                DJL_FORMAT, vocabSize, contextLength, embeddingSize, layers, heads, 0, null, 0, null, null, null);
    }

    public ModelConfig withChat(ChatTemplate newTemplate, List<String> newStop, @Nullable Integer newEosTokenId) {
        return new ModelConfig(
                format,
                vocabSize,
                contextLength,
                embeddingSize,
                layers,
                heads,
                mlpSize,
                tiedHead,
                layerNormEpsilon,
                newEosTokenId,
                newTemplate,
                newStop);
    }

    /** Checks what {@link CausalTransformer} needs; the message names the key. */
    void requireTransformer() {
        require(vocabSize > 0, "vocab_size", vocabSize);
        require(embeddingSize > 0, "embedding_size", embeddingSize);
        require(layers > 0, "layers", layers);
        require(heads > 0 && embeddingSize % heads == 0, "heads (a divisor of embedding_size)", heads);
    }

    private static void require(boolean valid, String key, int value) {
        if (!valid) {
            throw new IllegalArgumentException(key + ": must be positive, was " + value);
        }
    }

    public static ModelConfig read(Path modelDir) throws IOException {
        Path file = modelDir.resolve(FILE);
        try {
            return JSON.readValue(Files.readString(file), ModelConfig.class);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path modelDir) throws IOException {
        Files.createDirectories(modelDir);
        Files.writeString(modelDir.resolve(FILE), JSON.writeValueAsString(this));
    }
}
