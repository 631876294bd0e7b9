package dev.deliberate.strategy.selfeval;

import dev.deliberate.answer.AnswerKind;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Parameters of {@code adaptive}: draw one sample at a time, score it, stop at the first score below
 * {@code threshold} or after {@code maxSamples}.
 *
 * @param threshold stop once s &lt; threshold; 0.5 stops when the model finds a restart less likely than not to help
 *     (the paper's value is not published); an uninformative score (0.5) never stops
 * @param maxSamples N_max, the most samples drawn (the paper's 16)
 * @param temperatures the temperature of the i-th sample; the last value repeats. Greedy first (a second greedy
 *     sample would repeat the first), then annealed up towards 1.0 for diversity
 * @param answerKind the kind assumed when the client does not say
 */
public record AdaptiveParameters(
        @DecimalMin("0.0") @DecimalMax("1.0") Double threshold,
        @Min(1) @Max(64) Integer maxSamples,
        List<Double> temperatures,
        @DecimalMin("0.0") @DecimalMax("1.0") @Nullable Double topP,
        @Min(1) Integer maxTokens,
        AnswerKind answerKind) {

    public static final List<Double> DEFAULT_TEMPERATURES = List.of(0.0, 0.3, 0.7, 1.0);

    public AdaptiveParameters {
        threshold = threshold == null ? 0.5 : threshold;
        maxSamples = maxSamples == null ? 16 : maxSamples;
        temperatures = temperatures == null ? DEFAULT_TEMPERATURES : List.copyOf(temperatures);
        maxTokens = maxTokens == null ? 1024 : maxTokens;
        answerKind = answerKind == null ? AnswerKind.MATH : answerKind;
    }

    /** Every parameter at its default. */
    public static AdaptiveParameters of() {
        return new AdaptiveParameters(null, null, null, null, null, null);
    }

    /** The temperature of sample {@code i} (0-based): the schedule's i-th value, or its last one beyond it. */
    public double temperature(int i) {
        return temperatures.get(Math.min(i, temperatures.size() - 1));
    }
}
