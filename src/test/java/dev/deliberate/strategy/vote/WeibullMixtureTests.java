package dev.deliberate.strategy.vote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WeibullMixtureTests {

    private static final double[] BIMODAL = {0.91, 0.93, 0.92, 0.94, 0.90, 0.35, 0.40, 0.30};

    @Test
    void logDensityMatchesTheWeibullFormulaByHand() {
        // f(0.5; k=2, λ=1) = (2/1)(0.5)^1·exp(-0.25) = exp(-0.25), so log f = -0.25.
        // f(0.25; k=1, λ=0.5) = (1/0.5)(0.5)^0·exp(-0.5) = 2·exp(-0.5), so log f = ln 2 - 0.5.
        double a = WeibullMixture.logPdf(0.5, 2, 1);
        double b = WeibullMixture.logPdf(0.25, 1, 0.5);

        assertThat(a).isCloseTo(-0.25, within(1e-15));
        assertThat(b).isCloseTo(Math.log(2) - 0.5, within(1e-15));
    }

    @Test
    void logLikelihoodSumsTheLogOfTheMixedDensities() {
        // w = 0.5, component 1 (k=2, λ=1), component 2 (k=1, λ=0.5):
        // x = 0.5:  f1 = exp(-0.25) = 0.778800783, f2 = 2·exp(-1) = 0.735758882, mix = 0.757279833
        // x = 0.25: f1 = 2·0.25·exp(-0.0625) = 0.469706531, f2 = 2·exp(-0.5) = 1.213061319, mix = 0.841383925
        // log-likelihood = ln 0.757279833 + ln 0.841383925 = -0.278044 - 0.172710 = -0.450730
        var mixture = new WeibullMixture(0.5, 2, 1, 1, 0.5);
        double expected = Math.log(0.5 * Math.exp(-0.25) + 0.5 * 2 * Math.exp(-1))
                + Math.log(0.5 * 0.5 * Math.exp(-0.0625) + 0.5 * 2 * Math.exp(-0.5));

        double likelihood = mixture.logLikelihood(new double[] {0.5, 0.25});

        assertThat(likelihood).isCloseTo(expected, within(1e-12));
        assertThat(likelihood).isCloseTo(-0.450730, within(1e-6));
    }

    @Test
    void componentMeansUseTheGammaFunction() {
        // k = 1 is the exponential: mean λ. k = 2 is the Rayleigh: mean λ·Γ(3/2) = λ·√π/2.
        var mixture = new WeibullMixture(0.5, 1, 0.7, 2, 2);

        assertThat(mixture.mean1()).isCloseTo(0.7, within(1e-12));
        assertThat(mixture.mean2()).isCloseTo(Math.sqrt(Math.PI), within(1e-12));
    }

    @Test
    void probabilitiesAreClampedAwayFromZeroBeforeTheLogarithm() {
        var mixture = new WeibullMixture(0.5, 2, 1, 1, 0.5);

        double atZero = mixture.logLikelihood(new double[] {0.0});
        double aboveOne = mixture.logLikelihood(new double[] {1.7});

        assertThat(atZero).isFinite().isEqualTo(mixture.logLikelihood(new double[] {WeibullMixture.EPSILON}));
        assertThat(aboveOne).isEqualTo(mixture.logLikelihood(new double[] {1.0}));
    }

    @Test
    void fitsABimodalSampleWithTheHighComponentFirst() {
        WeibullMixture.Fit fit = WeibullMixture.fit(BIMODAL);

        WeibullMixture mixture = fit.mixture();
        assertThat(fit.failure()).isNull();
        assertThat(mixture).isNotNull();
        // Five paths near 0.92, three near 0.35. scipy's L-BFGS-B from the same start (the paper's optimiser) ends
        // at w=0.625, k1=72.91, λ1=0.9269, k2=9.904, λ2=0.3683 with log-likelihood 14.11840.
        assertThat(mixture.w()).isCloseTo(0.625, within(1e-3));
        assertThat(mixture.k1()).isCloseTo(72.91, within(0.05));
        assertThat(mixture.lambda1()).isCloseTo(0.9269, within(1e-4));
        assertThat(mixture.k2()).isCloseTo(9.904, within(0.01));
        assertThat(mixture.lambda2()).isCloseTo(0.3683, within(1e-4));
        assertThat(mixture.logLikelihood(BIMODAL)).isCloseTo(14.11840, within(1e-4));
        assertThat(mixture.mean1()).isGreaterThan(mixture.mean2());
    }

    @Test
    void theFitImprovesOnTheStartAndStaysWithinTheBounds() {
        double[] spread = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2};
        var start = new WeibullMixture(0.5, 1.0, 1.0, 1.5, 2.0);

        WeibullMixture mixture = WeibullMixture.fit(spread).mixture();

        assertThat(mixture).isNotNull();
        // scipy reaches 1.372462 here too.
        assertThat(mixture.logLikelihood(spread))
                .isGreaterThan(start.logLikelihood(spread))
                .isCloseTo(1.372462, within(1e-4));
        assertThat(mixture.w()).isBetween(WeibullMixture.MIN_WEIGHT, WeibullMixture.MAX_WEIGHT);
        for (double shape : new double[] {mixture.k1(), mixture.k2()}) {
            assertThat(shape).isBetween(0.01 - 1e-12, WeibullMixture.MAX_SHAPE + 1e-9);
        }
        for (double scale : new double[] {mixture.lambda1(), mixture.lambda2()}) {
            assertThat(scale).isBetween(0.01 - 1e-12, WeibullMixture.MAX_SCALE + 1e-9);
        }
    }

    @Test
    void equalProbabilitiesAreADegenerateFitWithAReason() {
        WeibullMixture.Fit fit = WeibullMixture.fit(new double[] {0.6, 0.6, 0.6, 0.6});

        assertThat(fit.mixture()).isNull();
        assertThat(fit.failure()).isEqualTo("degenerate: 1 distinct path probabilities, a two-component fit needs 3");
    }

    @Test
    void twoDistinctProbabilitiesAreDegenerateToo() {
        WeibullMixture.Fit fit = WeibullMixture.fit(new double[] {0.5, 0.9, 0.5, 0.9, 0.9});

        assertThat(fit.mixture()).isNull();
        assertThat(fit.failure()).startsWith("degenerate: 2 distinct");
    }

    @Test
    void aNonFiniteProbabilityFailsTheFitWithAReason() {
        WeibullMixture.Fit nan = WeibullMixture.fit(new double[] {0.5, Double.NaN, 0.7, 0.9});
        WeibullMixture.Fit infinite = WeibullMixture.fit(new double[] {0.5, Double.POSITIVE_INFINITY, 0.7, 0.9});

        assertThat(nan.mixture()).isNull();
        assertThat(nan.failure()).isEqualTo("non-finite path probability NaN");
        assertThat(infinite.failure()).isEqualTo("non-finite path probability Infinity");
    }
}
