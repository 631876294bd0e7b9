package dev.deliberate.run;

import reactor.core.publisher.Flux;

/**
 * An admitted run: its id, known before anything is sent so that replies can name it from their first byte, and its
 * events (trace steps, then exactly one {@link RunEvent.Finished} or {@link RunEvent.Failed}). Subscribe once.
 */
public record StartedRun(String runId, Flux<RunEvent> events) {}
