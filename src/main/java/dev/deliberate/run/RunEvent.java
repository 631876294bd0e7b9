package dev.deliberate.run;

/** What a run publishes: steps as they start and end, then exactly one of finished or failed. */
public sealed interface RunEvent {

    /** A step started or ended. */
    record StepEvent(Step step) implements RunEvent {}

    /** The run has a solution (possibly truncated). Always the last event. */
    record Finished(RunResult result) implements RunEvent {}

    /** The run has no solution. Always the last event. */
    record Failed(RunResult result, Throwable error) implements RunEvent {}
}
