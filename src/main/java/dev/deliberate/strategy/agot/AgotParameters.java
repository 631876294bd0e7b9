package dev.deliberate.strategy.agot;

import dev.deliberate.answer.AnswerKind;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

/**
 * Parameters of {@code agot}. The caps hold whatever the model asks for; the defaults are the paper's runs.
 *
 * @param maxDepth d_max: nodes at a depth below it get a complexity check and may expand into a subgraph; default 1
 * @param maxLayers l_max: layers of the top graph; a subgraph at depth d gets {@code maxLayers - d} (at least 1);
 *     default 3
 * @param maxNewTasks n_max: tasks kept from one planning reply (the initial tasks and each new layer); default 3
 * @param maxNodes task nodes in the whole run, subgraphs included (final nodes not counted); default 64, above the
 *     paper settings' worst case of 63, so that it binds only on larger settings or as a safety net
 * @param temperature sampling temperature of every call; default 0.3, as in the paper
 * @param maxTokens completion cap of each call
 * @param answerKind the kind of the final answer when the client does not say
 * @param leafProfile another profile that answers leaf tasks through a nested run on this run's budget and trace;
 *     {@code null}: one direct call per leaf
 */
public record AgotParameters(
        @Min(0) @Max(4) Integer maxDepth,
        @Min(1) @Max(16) Integer maxLayers,
        @Min(1) @Max(16) Integer maxNewTasks,
        @Min(1) @Max(1024) Integer maxNodes,
        @DecimalMin("0.0") @DecimalMax("2.0") Double temperature,
        @Min(1) Integer maxTokens,
        AnswerKind answerKind,
        @Nullable String leafProfile) {

    public AgotParameters {
        maxDepth = maxDepth == null ? 1 : maxDepth;
        maxLayers = maxLayers == null ? 3 : maxLayers;
        maxNewTasks = maxNewTasks == null ? 3 : maxNewTasks;
        maxNodes = maxNodes == null ? 64 : maxNodes;
        temperature = temperature == null ? 0.3 : temperature;
        maxTokens = maxTokens == null ? 1024 : maxTokens;
        answerKind = answerKind == null ? AnswerKind.TEXT : answerKind;
    }

    /** The layer budget of a graph at {@code depth} ({@code layer_depth_reduction}). */
    int layersAt(int depth) {
        return Math.max(1, maxLayers - depth);
    }
}
