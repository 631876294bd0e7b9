package dev.deliberate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DistributionTests {

    @Test
    void percentilesAreNearestRankOverTheSortedSamples() {
        // 1..100 shuffled: p50 is the 50th smallest, p99 the 99th.
        double[] samples = new double[100];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (i * 37) % 100 + 1;
        }

        Distribution distribution = new Distribution(samples);

        assertThat(distribution.count()).isEqualTo(100);
        assertThat(distribution.p50()).isEqualTo(50.0);
        assertThat(distribution.p99()).isEqualTo(99.0);
        assertThat(distribution.percentile(100)).isEqualTo(100.0);
        assertThat(distribution.max()).isEqualTo(100.0);
    }

    @Test
    void smallSamplesRoundTheRankUp() {
        Distribution distribution = Distribution.of(List.of(30.0, 10.0, 20.0));

        assertThat(distribution.p50()).isEqualTo(20.0);
        assertThat(distribution.p99()).isEqualTo(30.0);
        assertThat(distribution.percentile(1)).isEqualTo(10.0);
    }

    @Test
    void noSamplesGiveNaN() {
        Distribution distribution = Distribution.of(List.of());

        assertThat(distribution.p50()).isNaN();
        assertThat(distribution.max()).isNaN();
    }

    @Test
    void rejectsPercentilesOutsideZeroToHundred() {
        Distribution distribution = Distribution.of(List.of(1.0));

        assertThatThrownBy(() -> distribution.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> distribution.percentile(100.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsItsOwnCopyOfTheSamples() {
        double[] samples = {3.0, 1.0, 2.0};

        Distribution distribution = new Distribution(samples);
        samples[0] = 100.0;

        assertThat(distribution.max()).isEqualTo(3.0);
    }
}
