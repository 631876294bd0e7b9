package dev.deliberate.bench;

import java.util.Arrays;
import java.util.Collection;

/** Sorted samples with nearest-rank percentiles: the p-th percentile is the smallest sample with p% at or below it. */
record Distribution(double[] sorted) {

    Distribution {
        sorted = sorted.clone();
        Arrays.sort(sorted);
    }

    static Distribution of(Collection<Double> samples) {
        return new Distribution(
                samples.stream().mapToDouble(Double::doubleValue).toArray());
    }

    int count() {
        return sorted.length;
    }

    /** {@code NaN} when there are no samples. */
    double percentile(double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("p must be in (0, 100], was " + p);
        }
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    double p50() {
        return percentile(50);
    }

    double p99() {
        return percentile(99);
    }

    double max() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }
}
