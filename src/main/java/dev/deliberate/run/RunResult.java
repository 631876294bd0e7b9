package dev.deliberate.run;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A run as the client sees it: the strategy's solution with honest accounting and the executed trace.
 *
 * @param solution {@code null} while running and when the run failed
 * @param wall {@code null} while running
 * @param error the failure, for a failed run
 */
public record RunResult(
        String runId,
        String profile,
        String strategy,
        RunStatus status,
        @Nullable Solution solution,
        RunUsage usage,
        List<Step> steps,
        CriticalPath criticalPath,
        Instant startedAt,
        @Nullable Duration wall,
        @Nullable Throwable error) {

    public RunResult {
        steps = List.copyOf(steps);
    }

    public boolean truncated() {
        return status == RunStatus.TRUNCATED;
    }
}
