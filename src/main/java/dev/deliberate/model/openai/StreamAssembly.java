package dev.deliberate.model.openai;

import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The state of one streamed call, checked strictly: every SSE event must be a JSON chunk or {@code [DONE]}, an error
 * chunk fails the stream, and the stream must end with {@code [DONE]} after a finish reason for each of the
 * {@code n} choices. One instance per subscription; Reactor delivers the events serially.
 */
final class StreamAssembly {

    static final String DONE = "[DONE]";

    private final int n;
    private final OpenAiWire wire;
    private final BackendErrors errors;
    private final BitSet seen = new BitSet();
    private final BitSet finished = new BitSet();
    private boolean done;
    private int events;
    private @Nullable Usage usage;

    StreamAssembly(int n, OpenAiWire wire, BackendErrors errors) {
        this.n = n;
        this.wire = wire;
        this.errors = errors;
    }

    /** The chunks of one SSE event's data; throws a {@code BadReply} for an error or unreadable chunk. */
    List<GenerationChunk> accept(@Nullable String data) {
        if (data == null || data.isBlank() || done) {
            return List.of(); // keep-alive comments, and anything a server sends after [DONE]
        }
        events++;
        if (data.trim().equals(DONE)) {
            done = true;
            return List.of();
        }
        JsonNode root;
        try {
            root = wire.parse(data);
        } catch (JacksonException e) {
            throw errors.badReply("stream chunk " + events + " is not valid JSON", null);
        }
        if (!root.path("error").isMissingNode()
                || "error".equals(root.path("object").asString(""))) {
            throw errors.inBand(root);
        }
        List<GenerationChunk> chunks = new ArrayList<>();
        for (JsonNode choice : root.path("choices")) {
            int index = choice.path("index").asInt(0);
            if (index < 0 || index >= n) {
                throw errors.badReply("stream chunk has choice index " + index + " but n is " + n, null);
            }
            seen.set(index);
            String delta = choice.path("delta").path("content").asString("");
            List<TokenLogprob> tokens = wire.tokens(choice.path("logprobs"));
            String finishReason = OpenAiWire.finishReason(choice);
            if (finishReason != null) {
                finished.set(index);
            }
            if (!delta.isEmpty() || !tokens.isEmpty() || finishReason != null) {
                chunks.add(new GenerationChunk(index, delta, tokens, finishReason, null));
            }
        }
        Usage reported = OpenAiWire.usage(root);
        if (reported != null) {
            usage = reported; // servers that report usage on every chunk send running totals: keep the last
        }
        return chunks;
    }

    /**
     * Called when the HTTP body ended: the usage chunk if the server sent usage, or a {@code BadReply} when the
     * stream ended early. Never an empty success.
     */
    List<GenerationChunk> finish() {
        if (finished.cardinality() < n) {
            if (n > 1 && seen.cardinality() == 1 && seen.get(0)) {
                throw errors.badReply(
                        "backend answered 1 of n=" + n + " choices: it ignores n, so set"
                                + " capabilities.multiple-choices to false",
                        null);
            }
            BitSet missing = new BitSet();
            missing.set(0, n);
            missing.andNot(finished);
            throw errors.badReply(
                    "stream ended early: no finish reason for choice(s) " + missing + " after " + events + " events",
                    null);
        }
        if (!done) {
            throw errors.badReply("stream ended early: no [DONE] after " + events + " events", null);
        }
        return usage == null ? List.of() : List.of(new GenerationChunk(-1, "", List.of(), null, usage));
    }
}
