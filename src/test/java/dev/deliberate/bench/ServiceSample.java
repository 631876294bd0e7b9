package dev.deliberate.bench;

/**
 * One request through the service.
 *
 * @param clientMs the client's wall time, from sending the request to the last byte of the reply
 * @param wireWallMs {@code deliberate.wall_ms} from the reply (whole milliseconds, rounded down)
 * @param wireCriticalPathMs {@code deliberate.critical_path_ms} from the reply (whole milliseconds, rounded down)
 * @param runWallMs the run's wall time at the clock's resolution (microseconds), from the run store
 * @param criticalPathMs the run's critical path at the clock's resolution, from the run store
 * @param modelCalls {@code deliberate.model_calls}: backend calls the run made
 */
record ServiceSample(
        double clientMs,
        long wireWallMs,
        long wireCriticalPathMs,
        double runWallMs,
        double criticalPathMs,
        int modelCalls) {}
