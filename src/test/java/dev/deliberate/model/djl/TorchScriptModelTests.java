package dev.deliberate.model.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code torchscript} format for real: a {@code model.pt} written by {@link TorchScriptArchive} (no PyTorch
 * needed), loaded by libtorch through DJL. The module is a bigram table: the logits of the next token are the row
 * {@code weight[current]}, so greedy decoding and every logprob follow from the table. Each row gives its successor
 * logit 2, the word {@code four} logit 1 and every other token 0.
 */
class TorchScriptModelTests {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int VOCAB = TinyModel.WORDS.size();
    private static final int EOS = TinyModel.WORDS.indexOf("<eos>");
    private static final int RUNNER_UP = TinyModel.WORDS.indexOf("four");
    /** log(e^2 + e^1 + 18 e^0): the log of every row's partition function. */
    private static final double LOG_Z = Math.log(Math.exp(2) + Math.exp(1) + (VOCAB - 2));

    private static final String TENSOR_FORWARD = """
              def forward(self: __torch__.Bigram,
                ids: Tensor) -> Tensor:
                return torch.embedding(self.weight, ids)
            """;

    @TempDir
    Path dir;

    /** "Assistant: the answer is three <eos>", every other word goes to the end token. */
    private static int successor(int token) {
        String next = switch (TinyModel.WORDS.get(token)) {
            case "Assistant:" -> "the";
            case "the" -> "answer";
            case "answer" -> "is";
            case "is" -> "three";
            default -> "<eos>";
        };
        return TinyModel.WORDS.indexOf(next);
    }

    private static float[][] bigramTable() {
        float[][] weight = new float[VOCAB][VOCAB];
        for (int token = 0; token < VOCAB; token++) {
            weight[token][RUNNER_UP] = 1;
            weight[token][successor(token)] = 2;
        }
        return weight;
    }

    private static double logprob(int previous, int token) {
        return bigramTable()[previous][token] - LOG_Z;
    }

    private Path modelDirectory(@Nullable String format, String forward) throws IOException {
        return modelDirectory(format, forward, "cpu");
    }

    private Path modelDirectory(@Nullable String format, String forward, String savedOn) throws IOException {
        new ModelConfig(format, VOCAB, TinyModel.CONTEXT, 0, 0, 0, 0, null, 0, EOS, null, null).write(dir);
        Files.writeString(dir.resolve("tokenizer.json"), TinyModel.tokenizerJson());
        new TorchScriptArchive("Bigram", forward, bigramTable(), savedOn).write(dir.resolve("model.pt"));
        return dir;
    }

    private static DjlEndpoint load(Path modelDir) {
        return DjlEndpoint.load("scripted", EndpointSettings.djl(modelDir));
    }

    private static GenerationRequest ask(String question) {
        return GenerationRequest.of(List.of(ChatMessage.user(question)));
    }

    @Test
    void greedyDecodingFollowsTheTableToTheEndToken() throws IOException {
        try (DjlEndpoint endpoint = load(modelDirectory(null, TENSOR_FORWARD))) {

            Generation generation =
                    endpoint.generate(ask("one plus two").withTemperature(0.0)).block(WAIT);

            assertThat(generation.text()).isEqualTo("the answer is three");
            assertThat(generation.choices().get(0).finishReason()).isEqualTo("stop");
            assertThat(generation.usage().promptTokens()).isEqualTo(5); // User: one plus two Assistant:
            assertThat(generation.usage().completionTokens()).isEqualTo(5); // four words and <eos>
        }
    }

    @Test
    void aModelPtWithoutAFormatIsLoadedAsTorchScript() throws Exception {
        try (LanguageModel model = LanguageModel.load(modelDirectory(null, TENSOR_FORWARD));
                NDManager manager = model.newManager()) {

            float[][] logits = model.nextTokenLogits(manager, new long[][] {{5, 3}, {18, 19}});

            assertThat(model.format()).isEqualTo("torchscript");
            assertThat(logits).isDeepEqualTo(new float[][] {bigramTable()[3], bigramTable()[19]});
        }
    }

    @Test
    void logprobsFollowFromTheTableIncludingTheEndToken() throws IOException {
        try (DjlEndpoint endpoint = load(modelDirectory(null, TENSOR_FORWARD))) {

            Choice choice = endpoint.generate(ask("five").withTemperature(0.0).withLogprobs(20))
                    .block(WAIT)
                    .choices()
                    .get(0);

            assertThat(choice.tokens())
                    .extracting(TokenLogprob::token)
                    .containsExactly("the", "answer", "is", "three", "<eos>");
            for (TokenLogprob token : choice.tokens()) {
                assertThat(token.logprob()).isCloseTo(2 - LOG_Z, within(1e-6));
                assertThat(token.top()).hasSize(20);
                assertThat(token.top().get(0).token()).isEqualTo(token.token());
                assertThat(token.top().get(1).token()).isEqualTo("four");
                assertThat(token.top().get(1).logprob()).isCloseTo(1 - LOG_Z, within(1e-6));
                assertThat(token.top().get(19).logprob()).isCloseTo(-LOG_Z, within(1e-6));
            }
        }
    }

    @Test
    void nChoicesDecodeAsOneBatchAndEverySampledTokenHasItsTableLogprob() throws IOException {
        try (DjlEndpoint endpoint = load(modelDirectory(null, TENSOR_FORWARD))) {
            long before = endpoint.forwardPasses();

            Generation greedy =
                    endpoint.generate(ask("six").withTemperature(0.0).withN(3)).block(WAIT);
            long greedyPasses = endpoint.forwardPasses() - before;
            Generation sampled = endpoint.generate(ask("six")
                            .withTemperature(1.0)
                            .withMaxTokens(6)
                            .withSeed(17L)
                            .withN(4)
                            .withLogprobs(0))
                    .block(WAIT);

            assertThat(greedy.choices()).extracting(Choice::text).containsOnly("the answer is three");
            assertThat(greedy.choices()).extracting(Choice::index).containsExactly(0, 1, 2);
            assertThat(greedy.usage().completionTokens()).isEqualTo(15);
            assertThat(greedyPasses).isEqualTo(5);
            assertThat(sampled.choices()).hasSize(4);
            int tokens = 0;
            for (Choice choice : sampled.choices()) {
                int previous = TinyModel.WORDS.indexOf("Assistant:");
                for (TokenLogprob token : choice.tokens()) {
                    int id = TinyModel.WORDS.indexOf(token.token());
                    assertThat(token.logprob()).isCloseTo(logprob(previous, id), within(1e-6));
                    previous = id;
                    tokens++;
                }
            }
            assertThat(tokens).isEqualTo(sampled.usage().completionTokens());
            assertThat(sampled.choices().stream().map(Choice::text).distinct()).hasSizeGreaterThan(1);
        }
    }

    @Test
    void streamedDeltasAddUpToTheGreedyText() throws IOException {
        try (DjlEndpoint endpoint = load(modelDirectory(null, TENSOR_FORWARD))) {

            List<GenerationChunk> chunks = endpoint.stream(ask("seven").withTemperature(0.0))
                    .collectList()
                    .block(WAIT);

            assertThat(chunks.stream().map(GenerationChunk::delta).reduce("", String::concat))
                    .isEqualTo("the answer is three");
            assertThat(chunks)
                    .filteredOn(c -> c.finishReason() != null)
                    .singleElement()
                    .satisfies(c -> assertThat(c.finishReason()).isEqualTo("stop"));
            GenerationChunk last = chunks.get(chunks.size() - 1);
            assertThat(last.isUsageOnly()).isTrue();
            assertThat(last.usage().promptTokens()).isEqualTo(3); // User: seven Assistant:
            assertThat(last.usage().completionTokens()).isEqualTo(5);
        }
    }

    @Test
    void aTupleOutputIsReadFromItsFirstElement() throws IOException {
        String tupleForward = """
                  def forward(self: __torch__.Bigram,
                    ids: Tensor) -> Tuple[Tensor, Tensor]:
                    return (torch.embedding(self.weight, ids), ids)
                """;

        try (DjlEndpoint endpoint = load(modelDirectory("torchscript", tupleForward))) {

            Generation generation =
                    endpoint.generate(ask("eight").withTemperature(0.0)).block(WAIT);

            assertThat(generation.text()).isEqualTo("the answer is three");
        }
    }

    @Test
    void aBrokenModelPtFailsAtLoadNamingTheSetting() throws IOException {
        Path modelDir = modelDirectory(null, TENSOR_FORWARD);
        Files.writeString(modelDir.resolve("model.pt"), "not a zip archive", StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> load(modelDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deliberate.endpoints.scripted.model-dir: cannot load a model from " + modelDir
                        + ": PytorchStreamReader failed reading zip archive: not a ZIP archive");
    }

    @Test
    void aModuleWhoseCodeDoesNotCompileFailsAtLoad() throws IOException {
        String unknownOperator = """
                  def forward(self: __torch__.Bigram,
                    ids: Tensor) -> Tensor:
                    return torch.no_such_operator(self.weight, ids)
                """;

        assertThatThrownBy(() -> load(modelDirectory(null, unknownOperator)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown builtin op: aten::no_such_operator")
                .hasMessageContaining("File \"code/__torch__.py\", line 8");
    }

    @Test
    void aModuleSavedFromAGpuIsMovedToTheDeviceInUse() throws IOException {
        try (DjlEndpoint endpoint = load(modelDirectory(null, TENSOR_FORWARD, "cuda:0"))) {

            Generation generation =
                    endpoint.generate(ask("nine").withTemperature(0.0)).block(WAIT);

            assertThat(endpoint.device()).isEqualTo("cpu()"); // the build machines have no GPU
            assertThat(generation.text()).isEqualTo("the answer is three");
        }
    }

    @Test
    void aModuleWithTheWrongOutputShapeIsRefusedAtLoad() throws IOException {
        String lastPositionOnly = """
                  def forward(self: __torch__.Bigram,
                    ids: Tensor) -> Tensor:
                    return torch.select(torch.embedding(self.weight, ids), 1, -1)
                """;
        Path modelDir = modelDirectory(null, lastPositionOnly);

        assertThatThrownBy(() -> load(modelDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deliberate.endpoints.scripted.model-dir: cannot load a model from " + modelDir
                        + ": model.pt returned (1, 20) for one token; expected logits (1, 1, 20)"
                        + " (batch, time, vocab_size)");
    }
}
