package dev.deliberate.testkit.synthetic;

import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One synthetic problem with its ground truth. The answer distribution at T=1 is: {@code accuracy} on the answer,
 * {@code distractorShares} on the distractors, {@code scatterShare} spread over {@value #SCATTER_WIDTH} one-off wrong
 * answers (each sample that lands there draws a fresh number, so these never collide).
 *
 * @param id the problem number, 0-based
 * @param question the text to send as the user message; unique, it starts with {@code "Problem <id>:"}
 * @param answer the correct answer, an integer written as text
 * @param accuracy the chance that one sample at T=1 is correct (after the model's accuracy shift)
 * @param distractors the wrong answers samples share, most likely first
 * @param distractorShares the chance at T=1 of each distractor
 * @param scatterShare the chance at T=1 of a one-off wrong answer
 * @param logprobOffset added to the mean token logprob of every path of this problem
 */
public record SyntheticProblem(
        int id,
        String question,
        String answer,
        double accuracy,
        List<String> distractors,
        List<Double> distractorShares,
        double scatterShare,
        double logprobOffset) {

    /** How many one-off answers the scatter mass is spread over, which sets how temperature sharpens it. */
    public static final int SCATTER_WIDTH = 50;

    public SyntheticProblem {
        distractors = List.copyOf(distractors);
        distractorShares = List.copyOf(distractorShares);
        if (distractors.size() != distractorShares.size()) {
            throw new IllegalArgumentException("one share per distractor");
        }
    }

    /** Whether {@code candidate} states the correct answer as a number ("17", "17.0", "1,017", "17."). */
    public boolean accepts(@Nullable String candidate) {
        if (candidate == null) {
            return false;
        }
        String cleaned = candidate.strip().replace(",", "");
        if (cleaned.endsWith(".")) {
            cleaned = cleaned.substring(0, cleaned.length() - 1);
        }
        try {
            return new BigDecimal(cleaned).compareTo(new BigDecimal(answer)) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether the correct answer is the single most likely one (what greedy decoding answers by default). */
    public boolean modeCorrect() {
        return modalCategory() == 0;
    }

    /**
     * The chance of each answer category at answer-level {@code temperature > 0}: index 0 the answer, 1..m the distractors, m+1 the
     * one-off answers together. Each single answer's probability is raised to {@code 1/T} and renormalised, in logs so
     * that small temperatures do not underflow.
     */
    double[] shares(double temperature) {
        int m = distractors.size();
        double[] logs = new double[m + 2];
        logs[0] = Math.log(accuracy) / temperature;
        for (int j = 0; j < m; j++) {
            logs[j + 1] = Math.log(distractorShares.get(j)) / temperature;
        }
        logs[m + 1] = scatterShare > 0
                ? Math.log(SCATTER_WIDTH) + Math.log(scatterShare / SCATTER_WIDTH) / temperature
                : Double.NEGATIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double log : logs) {
            max = Math.max(max, log);
        }
        double total = 0;
        double[] shares = new double[logs.length];
        for (int i = 0; i < logs.length; i++) {
            shares[i] = Math.exp(logs[i] - max);
            total += shares[i];
        }
        for (int i = 0; i < shares.length; i++) {
            shares[i] /= total;
        }
        return shares;
    }

    /** The category of the single most likely answer: what greedy decoding says. */
    int modalCategory() {
        int best = 0;
        double bestShare = accuracy;
        for (int j = 0; j < distractors.size(); j++) {
            if (distractorShares.get(j) > bestShare) {
                best = j + 1;
                bestShare = distractorShares.get(j);
            }
        }
        if (scatterShare / SCATTER_WIDTH > bestShare) {
            best = distractors.size() + 1;
        }
        return best;
    }
}
