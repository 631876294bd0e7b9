package dev.deliberate.eval;

import dev.deliberate.run.RunStatus;
import dev.deliberate.run.RunUsage;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How one profile did on one problem.
 *
 * @param answer the run's answer, {@code null} when it had none
 * @param error why the run failed, for a failed run
 */
public record ProblemOutcome(
        String profile,
        String problemId,
        RunStatus status,
        boolean correct,
        @Nullable String answer,
        RunUsage usage,
        Duration wall,
        @Nullable String error) {

    public boolean failed() {
        return status == RunStatus.FAILED || status == RunStatus.CANCELLED;
    }
}
