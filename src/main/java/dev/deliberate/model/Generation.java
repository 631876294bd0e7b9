package dev.deliberate.model;

import java.time.Duration;
import java.util.List;

/**
 * The reply to one {@link GenerationRequest}: the choices in index order, the summed usage, the wall time of the
 * call, the endpoint that served it and how many backend calls it took (more than one when the endpoint fanned out).
 */
public record Generation(List<Choice> choices, Usage usage, Duration latency, String endpoint, int backendCalls) {

    public Generation {
        choices = List.copyOf(choices);
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("a generation has at least one choice");
        }
    }

    /** The text of the first choice. */
    public String text() {
        return choices.get(0).text();
    }
}
