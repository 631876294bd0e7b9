package dev.deliberate.strategy.selfeval;

import dev.deliberate.answer.AnswerKind;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

/**
 * Parameters of {@code prune}: start {@code n} streams, score each at {@code checkpoint} tokens, let the best
 * {@code keep} fraction finish.
 *
 * @param n streams started at once (bounded by the run's breadth)
 * @param checkpoint completion tokens after which a stream's prefix is scored; the paper's value is not published,
 *     64 is enough for a model to commit to an approach while most of a 1024-token answer is still to come
 * @param keep the fraction of running streams that survive the checkpoint, rounded up (at least one); 0.25 prunes
 *     75%, the paper's upper end
 * @param temperature sampling temperature of every stream; diversity is what makes pruning worth it
 * @param answerKind the kind assumed when the client does not say
 */
public record PruneParameters(
        @Min(1) @Max(64) Integer n,
        @Min(1) Integer checkpoint,

        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0")
        Double keep,

        @DecimalMin("0.0") @DecimalMax("2.0") Double temperature,
        @DecimalMin("0.0") @DecimalMax("1.0") @Nullable Double topP,
        @Min(1) Integer maxTokens,
        AnswerKind answerKind) {

    public PruneParameters {
        n = n == null ? 8 : n;
        checkpoint = checkpoint == null ? 64 : checkpoint;
        keep = keep == null ? 0.25 : keep;
        temperature = temperature == null ? 0.7 : temperature;
        maxTokens = maxTokens == null ? 1024 : maxTokens;
        answerKind = answerKind == null ? AnswerKind.MATH : answerKind;
    }

    /** Every parameter at its default. */
    public static PruneParameters of() {
        return new PruneParameters(null, null, null, null, null, null, null);
    }

    /** How many of {@code running} streams survive the checkpoint: keep × running, rounded up, at least one. */
    public int survivors(int running) {
        if (running == 0) {
            return 0;
        }
        // The small slack keeps 0.3 × 10 (3.0000000000000004 in binary) at 3.
        return Math.max(1, Math.min(running, (int) Math.ceil(keep * running - 1e-9)));
    }
}
