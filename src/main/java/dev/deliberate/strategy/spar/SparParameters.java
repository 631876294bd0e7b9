package dev.deliberate.strategy.spar;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Parameters of {@code spar}. The defaults are the reference code's search settings; the caps hold whatever the model
 * replies.
 *
 * @param search {@code bfs} (every node of a depth expanded, the top {@code keep} children kept), {@code dfs}
 *     (the top {@code keep} children explored in order) or {@code best-of-n} (no refinement: {@code breadth} actor
 *     samples at {@code temperature}, the best judged one returned); default {@code bfs}
 * @param breadth refinements asked per expanded node; with {@code best-of-n}, the actor's samples; default 3
 * @param keep children that go on to the next depth (BFS) or are recursed into (DFS); default 2
 * @param depth the deepest refinement level; 0 judges the actor's answer and never refines; default 3
 * @param judgeSamples verdicts sampled per judgment (one request with {@code n} where the endpoint allows); default 5
 * @param judgeTemperature temperature of the judge's samples; default 0.7
 * @param judgeAttempts judge requests per response while the Yes and No counts tie; default 3
 * @param refineTemperature temperature of each refinement; default 0.7
 * @param refineRetries extra refine calls when a reply lacks the markers; default 3 (at most 4 calls per child)
 * @param threshold a node passes when its value is strictly above it; default 0.5
 * @param maxNodes nodes in the whole tree, the root included, counted when a node's refinement starts; default 40,
 *     above the worst case of BFS (16) and DFS (22) at the defaults
 * @param temperature the actor's temperature; default 0 (greedy)
 * @param maxTokens completion cap of every call
 */
public record SparParameters(
        SearchKind search,
        @Min(1) @Max(16) Integer breadth,
        @Min(1) @Max(16) Integer keep,
        @Min(0) @Max(8) Integer depth,
        @Min(1) @Max(32) Integer judgeSamples,
        @DecimalMin("0.0") @DecimalMax("2.0") Double judgeTemperature,
        @Min(1) @Max(8) Integer judgeAttempts,
        @DecimalMin("0.0") @DecimalMax("2.0") Double refineTemperature,
        @Min(0) @Max(8) Integer refineRetries,
        @DecimalMin("0.0") @DecimalMax("1.0") Double threshold,
        @Min(1) @Max(1024) Integer maxNodes,
        @DecimalMin("0.0") @DecimalMax("2.0") Double temperature,
        @Min(1) Integer maxTokens) {

    /** How the tree of refinements is searched. */
    public enum SearchKind {
        BFS,
        DFS,
        /** No refinement: {@code breadth} actor samples, each judged, the best returned (the paper's baseline). */
        BEST_OF_N;

        /** The name as profiles and notes spell it, e.g. {@code best-of-n}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public SparParameters {
        search = search == null ? SearchKind.BFS : search;
        breadth = breadth == null ? 3 : breadth;
        keep = keep == null ? 2 : keep;
        depth = depth == null ? 3 : depth;
        judgeSamples = judgeSamples == null ? 5 : judgeSamples;
        judgeTemperature = judgeTemperature == null ? 0.7 : judgeTemperature;
        judgeAttempts = judgeAttempts == null ? 3 : judgeAttempts;
        refineTemperature = refineTemperature == null ? 0.7 : refineTemperature;
        refineRetries = refineRetries == null ? 3 : refineRetries;
        threshold = threshold == null ? 0.5 : threshold;
        maxNodes = maxNodes == null ? 40 : maxNodes;
        temperature = temperature == null ? 0.0 : temperature;
        maxTokens = maxTokens == null ? 1024 : maxTokens;
    }

    /** All defaults: the {@code spar} profile's settings. */
    public static SparParameters defaults() {
        return new SparParameters(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
