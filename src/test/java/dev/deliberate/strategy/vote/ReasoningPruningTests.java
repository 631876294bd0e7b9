package dev.deliberate.strategy.vote;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReasoningPruningTests {

    @Test
    void prunesExactlyTheLowComponentOfAClearlyBimodalSample() {
        double[] p = {0.91, 0.93, 0.92, 0.94, 0.90, 0.35, 0.40, 0.30};

        ReasoningPruning pruning = ReasoningPruning.of(p);

        assertThat(pruning.pruned()).containsExactly(false, false, false, false, false, true, true, true);
        assertThat(pruning.count()).isEqualTo(3);
        assertThat(pruning.fallback()).isNull();
        assertThat(pruning.mixture()).isNotNull();
    }

    @Test
    void keepsALowComponentPathThatLiesAboveTheMean() {
        // mean(p) = 5.06 / 8 = 0.6325. The fit puts 0.95 and 0.96 in the high component and the other six in the low
        // one; 0.70 and 0.65 belong to the low component but lie above the mean, so they survive.
        double[] p = {0.95, 0.96, 0.30, 0.40, 0.50, 0.60, 0.70, 0.65};

        ReasoningPruning pruning = ReasoningPruning.of(p);

        WeibullMixture mixture = pruning.mixture();
        assertThat(mixture).isNotNull();
        assertThat(mixture.favoursComponent2(0.70)).isTrue();
        assertThat(mixture.favoursComponent2(0.65)).isTrue();
        assertThat(mixture.favoursComponent2(0.95)).isFalse();
        assertThat(pruning.pruned()).containsExactly(false, false, true, true, true, true, false, false);
    }

    @Test
    void aTightUnimodalSamplePrunesNothing() {
        double[] p = {0.82, 0.85, 0.84, 0.86, 0.83, 0.81, 0.87, 0.85};

        ReasoningPruning pruning = ReasoningPruning.of(p);

        assertThat(pruning.mixture()).isNotNull();
        assertThat(pruning.fallback()).isNull();
        assertThat(pruning.count()).isZero();
    }

    @Test
    void equalProbabilitiesFallBackToPlainPerplexityConsistencyWithTheReason() {
        ReasoningPruning pruning = ReasoningPruning.of(new double[] {0.7, 0.7, 0.7});

        assertThat(pruning.pruned()).containsExactly(false, false, false);
        assertThat(pruning.mixture()).isNull();
        assertThat(pruning.fallback()).startsWith("degenerate: 1 distinct");
    }

    @Test
    void aNaNProbabilityFallsBackWithTheReason() {
        ReasoningPruning pruning = ReasoningPruning.of(new double[] {0.9, Double.NaN, 0.3, 0.5});

        assertThat(pruning.count()).isZero();
        assertThat(pruning.fallback()).isEqualTo("non-finite path probability NaN");
    }

    @Test
    void offKeepsEveryPathWithoutAReason() {
        ReasoningPruning pruning = ReasoningPruning.off(3);

        assertThat(pruning.pruned()).containsExactly(false, false, false);
        assertThat(pruning.fallback()).isNull();
        assertThat(pruning.mixture()).isNull();
    }
}
