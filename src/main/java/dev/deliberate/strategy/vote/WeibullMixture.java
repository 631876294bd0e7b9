package dev.deliberate.strategy.vote;

import java.util.Arrays;
import java.util.Locale;
import org.hipparchus.optim.InitialGuess;
import org.hipparchus.optim.MaxEval;
import org.hipparchus.optim.PointValuePair;
import org.hipparchus.optim.SimpleBounds;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.hipparchus.optim.nonlinear.scalar.ObjectiveFunction;
import org.hipparchus.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.hipparchus.special.Gamma;
import org.jspecify.annotations.Nullable;

/**
 * A two-component Weibull mixture over path probabilities, {@code w·f(x; k1, λ1) + (1−w)·f(x; k2, λ2)} with
 * {@code f(x; k, λ) = (k/λ)(x/λ)^(k−1)·exp(−(x/λ)^k)}. A mixture from {@link #fit} is oriented: component 1 is the
 * "high" one, the one with the larger mean {@code λ·Γ(1+1/k)}, and {@code w} is its weight.
 *
 * @param w weight of component 1, in [0.2, 0.8]
 * @param k1 shape of component 1
 * @param lambda1 scale of component 1
 * @param k2 shape of component 2
 * @param lambda2 scale of component 2
 */
public record WeibullMixture(double w, double k1, double lambda1, double k2, double lambda2) {

    /** Path probabilities are clamped into [EPSILON, 1] so that a zero never reaches a logarithm. */
    public static final double EPSILON = 1e-10;

    public static final double MIN_WEIGHT = 0.2;
    public static final double MAX_WEIGHT = 0.8;
    /** Lower bound of every shape and scale (the spec's). */
    public static final double MIN_SHAPE_OR_SCALE = 0.01;
    /**
     * Upper bound of the shapes. The spec leaves it open; the optimiser needs a finite one. A Weibull's coefficient of
     * variation is about 1.28/k, so 1000 still fits paths whose probabilities agree to a tenth of a percent.
     */
    public static final double MAX_SHAPE = 1000;
    /** Upper bound of the scales: probabilities never exceed 1, so a scale of 100 is already far outside the data. */
    public static final double MAX_SCALE = 100;

    /** The spec's starting point (w, k1, λ1, k2, λ2). */
    static final double[] START = {0.5, 1.0, 1.0, 1.5, 2.0};

    /** Fewer distinct values than this make the fit degenerate (see {@link #fit}). */
    static final int MIN_DISTINCT = 3;

    private static final int MAX_EVALUATIONS = 20_000;
    /** The trust region's first radius; BOBYQA wants at most half the narrowest bound range (w's 0.6). */
    private static final double INITIAL_RADIUS = 0.25;

    private static final double STOPPING_RADIUS = 1e-8;
    /** A density below e^-10000 counts as e^-10000: keeps the objective finite for the optimiser's model. */
    private static final double LOG_DENSITY_FLOOR = -1e4;
    /** Relative gap under which two component means count as equal. */
    private static final double SAME_MEAN = 1e-9;

    /**
     * The outcome of {@link #fit}: a mixture, or the reason there is none.
     *
     * @param mixture the oriented maximum-likelihood mixture, or {@code null} when the fit failed or was degenerate
     * @param failure why there is no mixture, for the trace; {@code null} when there is one
     */
    public record Fit(
            @Nullable WeibullMixture mixture, @Nullable String failure) {

        static Fit of(WeibullMixture mixture) {
            return new Fit(mixture, null);
        }

        static Fit failed(String failure) {
            return new Fit(null, failure);
        }
    }

    /** log f(x; k, λ) of one Weibull component. */
    public static double logPdf(double x, double k, double lambda) {
        double z = x / lambda;
        return Math.log(k / lambda) + (k - 1) * Math.log(z) - Math.pow(z, k);
    }

    /** The mean λ·Γ(1+1/k) of one Weibull component. */
    public static double mean(double k, double lambda) {
        return lambda * Gamma.gamma(1 + 1 / k);
    }

    /** Mean of component 1 (the high one, for a fitted mixture). */
    public double mean1() {
        return mean(k1, lambda1);
    }

    /** Mean of component 2 (the low one, for a fitted mixture). */
    public double mean2() {
        return mean(k2, lambda2);
    }

    /** Σ log(w·f1(x) + (1−w)·f2(x)) over {@code values}, each clamped into [{@link #EPSILON}, 1]. */
    public double logLikelihood(double[] values) {
        return logLikelihood(values, w, k1, lambda1, k2, lambda2);
    }

    /**
     * Whether {@code x} (clamped) more likely belongs to component 2 than to component 1: the posterior of component 2
     * is larger, or {@code ln(1−w) + ln f2(x) > ln w + ln f1(x)}.
     */
    public boolean favoursComponent2(double x) {
        double clamped = clamp(x);
        return Math.log(1 - w) + logPdf(clamped, k2, lambda2) > Math.log(w) + logPdf(clamped, k1, lambda1);
    }

    /**
     * Fits the mixture to {@code values} by bounded maximum likelihood: BOBYQA (Hipparchus) minimises the negative
     * log-likelihood within {@code w ∈ [0.2, 0.8]}, {@code k ∈ [0.01, 1000]}, {@code λ ∈ [0.01, 100]}, from the
     * spec's start (0.5, 1, 1, 1.5, 2). The search runs in coordinates (w, ln k1, ln λ1, ln k2, ln λ2): the same
     * bounds, mapped, because BOBYQA's trust region has one radius for all coordinates and shapes and scales span four
     * orders of magnitude. The result is oriented so that component 1 has the larger mean.
     *
     * <p>No mixture comes back, with the reason, when a value is not finite; when the values hold fewer than 3
     * distinct numbers (two components then collapse onto single points, and the result says more about the bounds
     * than about the data: all-equal values are the extreme case); when the optimiser throws or returns a non-finite
     * point or likelihood; or when both components have the same mean, so that neither is "high".
     */
    public static Fit fit(double[] values) {
        for (double value : values) {
            if (!Double.isFinite(value)) {
                return Fit.failed("non-finite path probability " + value);
            }
        }
        double[] clamped = Arrays.stream(values).map(WeibullMixture::clamp).toArray();
        long distinct = Arrays.stream(clamped).distinct().count();
        if (distinct < MIN_DISTINCT) {
            return Fit.failed("degenerate: " + distinct + " distinct path probabilities, a two-component fit needs "
                    + MIN_DISTINCT);
        }
        PointValuePair optimum;
        try {
            optimum = new BOBYQAOptimizer(2 * START.length + 1, INITIAL_RADIUS, STOPPING_RADIUS)
                    .optimize(
                            new MaxEval(MAX_EVALUATIONS),
                            new ObjectiveFunction(x -> -flooredLogLikelihood(
                                    clamped, x[0], Math.exp(x[1]), Math.exp(x[2]), Math.exp(x[3]), Math.exp(x[4]))),
                            GoalType.MINIMIZE,
                            new InitialGuess(toSearch(START)),
                            new SimpleBounds(toSearch(lower()), toSearch(upper())));
        } catch (RuntimeException e) {
            // Hipparchus signals non-convergence and bad input with unchecked exceptions: all mean "no fit".
            return Fit.failed("fit failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        double[] x = optimum.getPoint();
        WeibullMixture raw = new WeibullMixture(x[0], Math.exp(x[1]), Math.exp(x[2]), Math.exp(x[3]), Math.exp(x[4]));
        double likelihood = raw.logLikelihood(clamped);
        if (!raw.isFinite() || !Double.isFinite(likelihood)) {
            return Fit.failed("fit returned non-finite values: " + raw.describe() + ", log-likelihood " + likelihood);
        }
        double mean1 = raw.mean1();
        double mean2 = raw.mean2();
        if (!Double.isFinite(mean1)
                || !Double.isFinite(mean2)
                || Math.abs(mean1 - mean2) <= SAME_MEAN * Math.max(Math.abs(mean1), Math.abs(mean2))) {
            return Fit.failed("degenerate: the components' means are equal or not finite (" + raw.describe() + ")");
        }
        return Fit.of(mean1 >= mean2 ? raw : new WeibullMixture(1 - raw.w, raw.k2, raw.lambda2, raw.k1, raw.lambda1));
    }

    /** The parameters in a short form for messages. */
    public String describe() {
        return String.format(Locale.ROOT, "w=%.4g k1=%.4g λ1=%.4g k2=%.4g λ2=%.4g", w, k1, lambda1, k2, lambda2);
    }

    static double clamp(double p) {
        return Math.min(1.0, Math.max(EPSILON, p));
    }

    private boolean isFinite() {
        return Double.isFinite(w)
                && Double.isFinite(k1)
                && Double.isFinite(lambda1)
                && Double.isFinite(k2)
                && Double.isFinite(lambda2);
    }

    private static double logLikelihood(double[] values, double w, double k1, double l1, double k2, double l2) {
        double sum = 0;
        for (double value : values) {
            sum += logMixtureDensity(clamp(value), w, k1, l1, k2, l2);
        }
        return sum;
    }

    private static double flooredLogLikelihood(double[] clamped, double w, double k1, double l1, double k2, double l2) {
        double sum = 0;
        for (double x : clamped) {
            double density = logMixtureDensity(x, w, k1, l1, k2, l2);
            sum += density > LOG_DENSITY_FLOOR ? density : LOG_DENSITY_FLOOR;
        }
        return sum;
    }

    /** log(w·f1 + (1−w)·f2) by log-sum-exp, so that two tiny densities do not underflow to log 0. */
    private static double logMixtureDensity(double x, double w, double k1, double l1, double k2, double l2) {
        double a = Math.log(w) + logPdf(x, k1, l1);
        double b = Math.log(1 - w) + logPdf(x, k2, l2);
        double max = Math.max(a, b);
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
    }

    private static double[] lower() {
        return new double[] {MIN_WEIGHT, MIN_SHAPE_OR_SCALE, MIN_SHAPE_OR_SCALE, MIN_SHAPE_OR_SCALE, MIN_SHAPE_OR_SCALE
        };
    }

    private static double[] upper() {
        return new double[] {MAX_WEIGHT, MAX_SHAPE, MAX_SCALE, MAX_SHAPE, MAX_SCALE};
    }

    /** (w, k1, λ1, k2, λ2) to the search coordinates (w, ln k1, ln λ1, ln k2, ln λ2). */
    private static double[] toSearch(double[] parameters) {
        double[] x = parameters.clone();
        for (int i = 1; i < x.length; i++) {
            x[i] = Math.log(x[i]);
        }
        return x;
    }
}
