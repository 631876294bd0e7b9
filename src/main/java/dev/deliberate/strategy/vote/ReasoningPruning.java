package dev.deliberate.strategy.vote;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * RPC's reasoning pruning: which sampled paths to drop before perplexity consistency. A Weibull mixture is fitted to
 * the paths' probabilities {@code p_i} per question, and path {@code i} is pruned when it more likely belongs to the
 * low component <em>and</em> {@code p_i < mean(p)} (the truncated-mean safeguard). When there is no usable fit, nothing
 * is pruned (plain perplexity consistency) and {@code fallback} says why.
 *
 * @param pruned one flag per path, in the order of the probabilities given
 * @param mixture the fitted mixture (component 1 high), or {@code null} when there is none
 * @param fallback why nothing was pruned despite pruning being asked for, or {@code null}
 */
public record ReasoningPruning(
        List<Boolean> pruned,
        @Nullable WeibullMixture mixture,
        @Nullable String fallback) {

    public ReasoningPruning {
        pruned = List.copyOf(pruned);
    }

    /** Decides which of the paths with probabilities {@code p} to prune. */
    public static ReasoningPruning of(double[] p) {
        WeibullMixture.Fit fit = WeibullMixture.fit(p);
        WeibullMixture mixture = fit.mixture();
        if (mixture == null) {
            return new ReasoningPruning(none(p.length), null, fit.failure());
        }
        double mean = 0;
        for (double value : p) {
            mean += value;
        }
        mean /= p.length;
        List<Boolean> pruned = new ArrayList<>(p.length);
        int count = 0;
        for (double value : p) {
            boolean prune = mixture.favoursComponent2(value) && value < mean;
            pruned.add(prune);
            count += prune ? 1 : 0;
        }
        // The mean test keeps the most probable path; the guard is the spec's, in case rounding ever says otherwise.
        if (count == p.length) {
            return new ReasoningPruning(none(p.length), mixture, "the fit would prune every path");
        }
        return new ReasoningPruning(pruned, mixture, null);
    }

    /** Pruning turned off: every path is kept and there is nothing to report. */
    public static ReasoningPruning off(int paths) {
        return new ReasoningPruning(none(paths), null, null);
    }

    public boolean isPruned(int path) {
        return pruned.get(path);
    }

    public int count() {
        return (int) pruned.stream().filter(Boolean::booleanValue).count();
    }

    private static List<Boolean> none(int paths) {
        return Collections.nCopies(paths, Boolean.FALSE);
    }
}
