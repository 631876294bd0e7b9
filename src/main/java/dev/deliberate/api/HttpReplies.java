package dev.deliberate.api;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes replies by hand, so that one handler can answer with JSON or with server-sent events depending on the
 * request, and so that each event is flushed as soon as it exists.
 */
@Component
public final class HttpReplies {

    private final JsonMapper json;

    public HttpReplies(JsonMapper json) {
        this.json = json;
    }

    public String toJson(Object value) {
        return json.writeValueAsString(value);
    }

    public Mono<Void> json(ServerHttpResponse response, int status, Object body) {
        response.setStatusCode(HttpStatus.valueOf(status));
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        byte[] bytes = json.writeValueAsBytes(body);
        return response.writeWith(
                Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
    }

    public Mono<Void> error(ServerHttpResponse response, ErrorReply reply) {
        if (!reply.retriable()) {
            // Read by the OpenAI SDKs, which otherwise retry every 5xx (and 409) whatever it means.
            response.getHeaders().set("x-should-retry", "false");
        }
        if (reply.retryAfter() != null) {
            response.getHeaders()
                    .set(
                            HttpHeaders.RETRY_AFTER,
                            Long.toString(Math.max(1, reply.retryAfter().toSeconds())));
        }
        return json(response, reply.status(), reply.body());
    }

    /** Streams {@code events} as {@code text/event-stream}, flushing after each event. */
    public Mono<Void> events(ServerHttpResponse response, Flux<SseEvent> events) {
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.TEXT_EVENT_STREAM);
        headers.setCacheControl("no-cache");
        // Tell buffering proxies (nginx) to pass events through at once.
        headers.set("X-Accel-Buffering", "no");
        return response.writeAndFlushWith(events.map(event -> Mono.just(encode(response, event))));
    }

    private static DataBuffer encode(ServerHttpResponse response, SseEvent event) {
        StringBuilder frame = new StringBuilder(event.data().length() + 32);
        if (event.name() != null) {
            frame.append("event: ").append(event.name()).append('\n');
        }
        for (String line : event.data().split("\n", -1)) {
            frame.append("data: ").append(line).append('\n');
        }
        frame.append('\n');
        return response.bufferFactory().wrap(frame.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** One server-sent event; {@code name} null for a plain {@code data:} event. */
    public record SseEvent(@Nullable String name, String data) {
        public static SseEvent data(String data) {
            return new SseEvent(null, data);
        }
    }
}
