package dev.deliberate.testkit.synthetic;

import java.time.Duration;
import java.util.Objects;

/**
 * The knobs of a {@link SyntheticModel}; {@link #defaults()} or {@link #builder()}, then {@link #toBuilder()} to vary
 * one. Each knob is described with its default in {@code docs/synthetic-model.md}.
 *
 * @param problems how many problems the model knows (200)
 * @param seed the seed of the problem set and of every draw (42)
 * @param accuracy where each problem's accuracy (the chance that one sample at T=1 is correct) comes from
 *     ({@code beta(1.5, 1.2)}, mean 0.56)
 * @param accuracyShift added to every accuracy in logit space (0); a positive shift stands for a stronger model
 * @param distractors wrong answers per problem that samples share, so that wrong answers collide (3)
 * @param distractorSkew the weight of each distractor relative to the one before (0.5: shares 4/7, 2/7, 1/7)
 * @param scatter the share of the wrong mass spread over one-off wrong answers that never collide (0.2)
 * @param greedyTemperature the answer-level temperature that greedy decoding (T=0) behaves like (0: greedy answers the
 *     most likely answer); sampling at T acts as answer-level temperature {@code g + (1 - g) T}, and greedy answers one
 *     fixed draw per problem at {@code g}
 * @param meanLength mean completion length in tokens (120)
 * @param lengthSpread standard deviation of the length in tokens (40)
 * @param meanLogprob the mean token logprob midway between correct and wrong paths (-0.6)
 * @param logprobSeparation how much higher a correct path's mean token logprob is on average than a wrong one's (0.1)
 * @param pathNoise standard deviation of a path's mean logprob around its class mean (0.1)
 * @param problemNoise standard deviation of a per-problem offset of all its paths' mean logprobs (0.05)
 * @param evalAuc the chance that a wrong complete path gets a higher self-evaluation P(Yes) than a correct one (0.8;
 *     0.5 is no signal)
 * @param evalBias logit of P(Yes) midway between correct and wrong paths (0)
 * @param partialEvalStrength the share of the self-evaluation signal (in logit space) left at an empty prefix; it
 *     grows linearly to the whole signal at the complete path (0.5)
 * @param tokenDelay delay between streamed tokens, on Reactor's parallel scheduler (zero)
 */
public record SyntheticSettings(
        int problems,
        long seed,
        AccuracyDistribution accuracy,
        double accuracyShift,
        int distractors,
        double distractorSkew,
        double scatter,
        double greedyTemperature,
        int meanLength,
        int lengthSpread,
        double meanLogprob,
        double logprobSeparation,
        double pathNoise,
        double problemNoise,
        double evalAuc,
        double evalBias,
        double partialEvalStrength,
        Duration tokenDelay) {

    public SyntheticSettings {
        Objects.requireNonNull(accuracy, "accuracy");
        Objects.requireNonNull(tokenDelay, "tokenDelay");
        check(problems >= 1 && problems <= 1_000_000, "problems must be between 1 and 1000000, was " + problems);
        check(Double.isFinite(accuracyShift), "accuracyShift must be finite");
        check(distractors >= 1 && distractors <= 20, "distractors must be between 1 and 20, was " + distractors);
        check(distractorSkew > 0 && distractorSkew <= 1, "distractorSkew must be in (0, 1], was " + distractorSkew);
        check(scatter >= 0 && scatter < 1, "scatter must be in [0, 1), was " + scatter);
        check(
                greedyTemperature >= 0 && greedyTemperature <= 1,
                "greedyTemperature must be in [0, 1], was " + greedyTemperature);
        check(
                meanLength >= SyntheticModel.MIN_TOKENS && meanLength <= 100_000,
                "meanLength must be between " + SyntheticModel.MIN_TOKENS + " and 100000, was " + meanLength);
        check(lengthSpread >= 0, "lengthSpread must not be negative, was " + lengthSpread);
        check(meanLogprob < 0 && meanLogprob > -20, "meanLogprob must be in (-20, 0), was " + meanLogprob);
        check(
                logprobSeparation >= 0 && logprobSeparation < 10,
                "logprobSeparation must be in [0, 10), was " + logprobSeparation);
        check(pathNoise >= 0 && pathNoise < 10, "pathNoise must be in [0, 10), was " + pathNoise);
        check(problemNoise >= 0 && problemNoise < 10, "problemNoise must be in [0, 10), was " + problemNoise);
        check(evalAuc >= 0.5 && evalAuc < 1, "evalAuc must be in [0.5, 1), was " + evalAuc);
        check(Double.isFinite(evalBias), "evalBias must be finite");
        check(
                partialEvalStrength >= 0 && partialEvalStrength <= 1,
                "partialEvalStrength must be in [0, 1], was " + partialEvalStrength);
        check(!tokenDelay.isNegative(), "tokenDelay must not be negative");
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    public static SyntheticSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .problems(problems)
                .seed(seed)
                .accuracy(accuracy)
                .accuracyShift(accuracyShift)
                .distractors(distractors)
                .distractorSkew(distractorSkew)
                .scatter(scatter)
                .greedyTemperature(greedyTemperature)
                .meanLength(meanLength)
                .lengthSpread(lengthSpread)
                .meanLogprob(meanLogprob)
                .logprobSeparation(logprobSeparation)
                .pathNoise(pathNoise)
                .problemNoise(problemNoise)
                .evalAuc(evalAuc)
                .evalBias(evalBias)
                .partialEvalStrength(partialEvalStrength)
                .tokenDelay(tokenDelay);
    }

    /** The answer-level temperature that sampling at {@code temperature} acts as; see {@code greedyTemperature}. */
    public double answerTemperature(double temperature) {
        return greedyTemperature + (1 - greedyTemperature) * temperature;
    }

    /**
     * The self-evaluation signal as a gap in logit space between wrong and correct complete paths, with unit normal
     * noise per path: {@code AUC = Φ(gap / √2)}.
     */
    public double evalSeparation() {
        return Math.sqrt(2) * Draws.normalQuantile(evalAuc);
    }

    /** Where the per-problem accuracies come from. */
    public record AccuracyDistribution(Shape shape, double a, double b) {

        /** The family of the distribution. */
        public enum Shape {
            /** Beta with shape parameters {@code a} and {@code b}. */
            BETA,
            /** Uniform between {@code a} and {@code b}. */
            UNIFORM
        }

        public AccuracyDistribution {
            Objects.requireNonNull(shape, "shape");
            if (shape == Shape.BETA) {
                check(a > 0 && b > 0 && a < 1000 && b < 1000, "beta parameters must be in (0, 1000)");
            } else {
                check(a >= 0 && b <= 1 && a <= b, "uniform bounds must satisfy 0 <= a <= b <= 1");
            }
        }

        public static AccuracyDistribution beta(double a, double b) {
            return new AccuracyDistribution(Shape.BETA, a, b);
        }

        public static AccuracyDistribution uniform(double low, double high) {
            return new AccuracyDistribution(Shape.UNIFORM, low, high);
        }

        /** Every problem has the same accuracy. */
        public static AccuracyDistribution fixed(double accuracy) {
            return uniform(accuracy, accuracy);
        }

        public double mean() {
            return shape == Shape.BETA ? a / (a + b) : (a + b) / 2;
        }

        double draw(Draws draws) {
            return shape == Shape.BETA ? draws.beta(a, b) : a + (b - a) * draws.uniform();
        }
    }

    /** Collects knobs; starts at the defaults. */
    public static final class Builder {
        private int problems = 200;
        private long seed = 42;
        private AccuracyDistribution accuracy = AccuracyDistribution.beta(1.5, 1.2);
        private double accuracyShift = 0;
        private int distractors = 3;
        private double distractorSkew = 0.5;
        private double scatter = 0.2;
        private double greedyTemperature = 0;
        private int meanLength = 120;
        private int lengthSpread = 40;
        private double meanLogprob = -0.6;
        private double logprobSeparation = 0.1;
        private double pathNoise = 0.1;
        private double problemNoise = 0.05;
        private double evalAuc = 0.8;
        private double evalBias = 0;
        private double partialEvalStrength = 0.5;
        private Duration tokenDelay = Duration.ZERO;

        private Builder() {}

        public Builder problems(int value) {
            problems = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder accuracy(AccuracyDistribution value) {
            accuracy = value;
            return this;
        }

        public Builder accuracyShift(double value) {
            accuracyShift = value;
            return this;
        }

        public Builder distractors(int value) {
            distractors = value;
            return this;
        }

        public Builder distractorSkew(double value) {
            distractorSkew = value;
            return this;
        }

        public Builder scatter(double value) {
            scatter = value;
            return this;
        }

        public Builder greedyTemperature(double value) {
            greedyTemperature = value;
            return this;
        }

        public Builder meanLength(int value) {
            meanLength = value;
            return this;
        }

        public Builder lengthSpread(int value) {
            lengthSpread = value;
            return this;
        }

        public Builder meanLogprob(double value) {
            meanLogprob = value;
            return this;
        }

        public Builder logprobSeparation(double value) {
            logprobSeparation = value;
            return this;
        }

        public Builder pathNoise(double value) {
            pathNoise = value;
            return this;
        }

        public Builder problemNoise(double value) {
            problemNoise = value;
            return this;
        }

        public Builder evalAuc(double value) {
            evalAuc = value;
            return this;
        }

        public Builder evalBias(double value) {
            evalBias = value;
            return this;
        }

        public Builder partialEvalStrength(double value) {
            partialEvalStrength = value;
            return this;
        }

        public Builder tokenDelay(Duration value) {
            tokenDelay = value;
            return this;
        }

        public SyntheticSettings build() {
            return new SyntheticSettings(
                    problems,
                    seed,
                    accuracy,
                    accuracyShift,
                    distractors,
                    distractorSkew,
                    scatter,
                    greedyTemperature,
                    meanLength,
                    lengthSpread,
                    meanLogprob,
                    logprobSeparation,
                    pathNoise,
                    problemNoise,
                    evalAuc,
                    evalBias,
                    partialEvalStrength,
                    tokenDelay);
        }
    }
}
