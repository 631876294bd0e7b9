package dev.deliberate.run;

import java.time.Duration;
import java.util.List;

/**
 * The longest chain of leaf steps that ran one after another: what the run's wall time cannot go below, however
 * much concurrency it had.
 */
public record CriticalPath(Duration length, List<String> stepIds) {

    public static final CriticalPath EMPTY = new CriticalPath(Duration.ZERO, List.of());

    public CriticalPath {
        stepIds = List.copyOf(stepIds);
    }
}
