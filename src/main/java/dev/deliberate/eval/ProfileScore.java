package dev.deliberate.eval;

import java.time.Duration;
import java.util.List;

/**
 * One profile's result over a dataset: one row of the table, one point of each panel of the plot.
 *
 * @param profile the profile as written on the command line ({@code self-consistency@n=8})
 * @param failures runs that ended without a solution; they count as wrong
 */
public record ProfileScore(
        String profile,
        int problems,
        int correct,
        long modelCalls,
        long completionTokens,
        Duration wall,
        int failures) {

    public static ProfileScore of(String profile, List<ProblemOutcome> outcomes) {
        long calls = 0;
        long tokens = 0;
        Duration wall = Duration.ZERO;
        int correct = 0;
        int failures = 0;
        for (ProblemOutcome outcome : outcomes) {
            calls += outcome.usage().modelCalls();
            tokens += outcome.usage().completionTokens();
            wall = wall.plus(outcome.wall());
            correct += outcome.correct() ? 1 : 0;
            failures += outcome.failed() ? 1 : 0;
        }
        return new ProfileScore(profile, outcomes.size(), correct, calls, tokens, wall, failures);
    }

    /** Correct over problems, in [0, 1]; 0 for no problems. */
    public double accuracy() {
        return problems == 0 ? 0 : (double) correct / problems;
    }

    public double callsPerProblem() {
        return problems == 0 ? 0 : (double) modelCalls / problems;
    }

    public double completionTokensPerProblem() {
        return problems == 0 ? 0 : (double) completionTokens / problems;
    }

    public double secondsPerProblem() {
        return problems == 0 ? 0 : wall.toNanos() / 1e9 / problems;
    }
}
