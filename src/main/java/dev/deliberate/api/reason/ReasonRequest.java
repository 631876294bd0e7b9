package dev.deliberate.api.reason;

import dev.deliberate.api.WireBudget;
import dev.deliberate.api.WireMessage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The body of {@code POST /v1/reason}. */
public record ReasonRequest(
        @Nullable String profile,
        @Nullable WireProblem problem,
        @Nullable WireBudget budget,
        @Nullable Long seed,
        @Nullable Integer maxTokens) {

    /**
     * A problem: {@code text} (one user message) or {@code messages}, not both.
     *
     * @param kind {@code math}, {@code choice}, {@code code} or {@code text}; unset uses the profile's default
     */
    public record WireProblem(
            @Nullable String text,
            @Nullable List<WireMessage> messages,
            @Nullable String kind,
            @Nullable String entryPoint,
            @Nullable String signature,
            @Nullable List<String> tests) {}
}
