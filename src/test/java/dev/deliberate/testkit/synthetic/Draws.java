package dev.deliberate.testkit.synthetic;

import java.util.SplittableRandom;

/**
 * The random draws of the synthetic model from one seeded stream. Every decision draws from a stream whose seed is
 * mixed from what identifies it (model, problem, request seed, choice), so that results do not depend on call order.
 */
final class Draws {

    private final SplittableRandom random;

    Draws(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A well-spread seed from its parts (SplitMix64's finaliser over a running combination). */
    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long part : parts) {
            h = finalise(h ^ finalise(part + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    double uniform() {
        return random.nextDouble();
    }

    int below(int bound) {
        return random.nextInt(bound);
    }

    double normal() {
        return random.nextGaussian();
    }

    double exponential() {
        return random.nextExponential();
    }

    /** Marsaglia and Tsang's method; shapes below 1 use the boost {@code G(a+1) U^(1/a)}. */
    double gamma(double shape) {
        if (shape < 1) {
            return gamma(shape + 1) * Math.pow(uniform(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = normal();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = uniform();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }

    double beta(double a, double b) {
        double x = gamma(a);
        return x / (x + gamma(b));
    }

    /** An index drawn with probability proportional to {@code weights}. */
    int category(double[] weights) {
        double total = 0;
        for (double weight : weights) {
            total += weight;
        }
        double u = uniform() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** Lower-case letters only, so that no digit in the text can be read as an answer. */
    String letters(int count) {
        char[] letters = new char[count];
        for (int i = 0; i < count; i++) {
            letters[i] = (char) ('a' + below(26));
        }
        return new String(letters);
    }

    /** The standard normal CDF (Abramowitz and Stegun 7.1.26 for erf; absolute error below 1.5e-7). */
    static double normalCdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * z);
        double erf = 1
                - t
                        * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                        * Math.exp(-z * z);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    /** The inverse of {@link #normalCdf} by bisection: only called when a model is built. */
    static double normalQuantile(double p) {
        double low = -10;
        double high = 10;
        for (int i = 0; i < 100; i++) {
            double mid = (low + high) / 2;
            if (normalCdf(mid) < p) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return (low + high) / 2;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double logit(double p) {
        return Math.log(p / (1 - p));
    }
}
