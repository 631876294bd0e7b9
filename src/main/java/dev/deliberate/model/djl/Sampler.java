package dev.deliberate.model.djl;

import dev.deliberate.model.TokenLogprob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Picks the next token of one choice from its logits: greedy at temperature 0, otherwise a draw from the softmax of
 * {@code logits / temperature}, restricted to the smallest set of most likely tokens whose mass reaches {@code topP}.
 * Each choice draws from a random stream of its own, split off the request's seed, so a seeded request gives the same
 * text however the choices are batched.
 *
 * <p>Reported logprobs are the log-softmax of the raw logits (temperature 1, no top-p), the model's own distribution,
 * so that they mean the same whatever sampling settings produced the text.
 */
final class Sampler {

    private final double temperature;
    private final double topP;

    Sampler(double temperature, double topP) {
        this.temperature = temperature;
        this.topP = topP;
    }

    /** One independent random stream per choice, in index order. */
    static SplittableRandom[] streams(long seed, int n) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] streams = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            streams[i] = root.split();
        }
        return streams;
    }

    int sample(float[] logits, SplittableRandom random) {
        if (temperature <= 0) {
            return argMax(logits);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double[] weights = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            weights[i] = Math.exp((logits[i] - max) / temperature);
            total += weights[i];
        }
        if (topP >= 1) {
            return draw(weights, total, random);
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(weights[b], weights[a]));
        double kept = 0;
        int count = 0;
        while (count < order.length && (count == 0 || kept < topP * total)) {
            kept += weights[order[count]];
            count++;
        }
        double u = random.nextDouble() * kept;
        for (int i = 0; i < count; i++) {
            u -= weights[order[i]];
            if (u < 0) {
                return order[i];
            }
        }
        return order[count - 1];
    }

    private static int draw(double[] weights, double total, SplittableRandom random) {
        double u = random.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                last = i;
                u -= weights[i];
                if (u < 0) {
                    return i;
                }
            }
        }
        return last; // rounding left u just above zero
    }

    static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** {@code log softmax(logits)}. */
    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        double logNormalizer = max + Math.log(sum);
        double[] logprobs = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            logprobs[i] = logits[i] - logNormalizer;
        }
        return logprobs;
    }

    /** The {@code k} most likely tokens, most likely first (ties: lower id first). */
    static int[] topK(double[] logprobs, int k) {
        int count = Math.min(k, logprobs.length);
        int[] top = new int[count];
        boolean[] taken = new boolean[logprobs.length];
        for (int j = 0; j < count; j++) {
            int best = -1;
            for (int i = 0; i < logprobs.length; i++) {
                if (!taken[i] && (best < 0 || logprobs[i] > logprobs[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            top[j] = best;
        }
        return top;
    }

    /** The alternatives for {@link TokenLogprob#top()}, decoded by {@code text}. */
    static List<TokenLogprob.Alternative> alternatives(double[] logprobs, int k, IntFunction<String> text) {
        List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
        for (int id : topK(logprobs, k)) {
            alternatives.add(new TokenLogprob.Alternative(text.apply(id), logprobs[id]));
        }
        return alternatives;
    }
}
