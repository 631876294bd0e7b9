package dev.deliberate.run;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One node of the trace. A step is published twice: when it starts ({@code status} RUNNING, no {@code end}) and when
 * it ends. {@code parentId} links it into the executed DAG; the root step of a run has none.
 *
 * @param path the position in the run (e.g. {@code run/vote#0/generate:solver#1}); model call seeds derive from it
 * @param endpoint the endpoint that served a model call, otherwise {@code null}
 * @param notes small facts about the step (sample count, votes, error message)
 */
public record Step(
        String id,
        @Nullable String parentId,
        String path,
        StepKind kind,
        String name,
        @Nullable String endpoint,
        Instant start,
        @Nullable Instant end,
        Status status,
        RunUsage usage,
        Map<String, Object> notes) {

    public Step {
        notes = Map.copyOf(notes);
    }

    /** The life of a step. */
    public enum Status {
        RUNNING,
        OK,
        FAILED,
        CANCELLED
    }

    public @Nullable Duration duration() {
        return end == null ? null : Duration.between(start, end);
    }

    Step finish(Instant at, Status newStatus, RunUsage newUsage, Map<String, Object> newNotes) {
        return new Step(id, parentId, path, kind, name, endpoint, start, at, newStatus, newUsage, newNotes);
    }
}
