package dev.deliberate.model.openai;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Secret;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.core.codec.CodecException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClientException;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place where failures of an OpenAI-compatible backend become {@link BackendException}s. Messages carry the
 * HTTP status and at most {@value #MAX_UPSTREAM_CHARS} characters of the upstream message, with the API key and any
 * bearer token masked; exceptions that hold request headers (the {@code WebClientException}s) are never chained.
 */
final class BackendErrors {

    static final int MAX_UPSTREAM_CHARS = 200;

    /** Phrases with which vLLM, llama.cpp, SGLang, TGI, Ollama and OpenAI say the prompt does not fit. */
    private static final List<String> CONTEXT_OVERFLOW_WORDING = List.of(
            "maximum context length",
            "context length",
            "exceeds the context",
            "exceed_context",
            "context window",
            "context size",
            "too many tokens",
            "prompt is too long",
            "input is too long");

    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/=-]+"); // RFC 6750 token68
    private static final Pattern HTML_TITLE = Pattern.compile("(?is)<title>(.*?)</title>");

    private final String endpoint;
    private final Secret apiKey;
    private final JsonMapper mapper;
    private final Clock clock;

    BackendErrors(String endpoint, Secret apiKey, JsonMapper mapper, Clock clock) {
        this.endpoint = endpoint;
        this.apiKey = apiKey;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** A non-2xx reply: 429 is rate limiting, 5xx unavailability, other 4xx a rejection of the request itself. */
    BackendException fromStatus(int status, HttpHeaders headers, String body) {
        Upstream upstream = upstream(body, headers.getContentType());
        String message = "backend answered HTTP " + status + upstream.suffix();
        if (status == 429) {
            return new BackendException.RateLimited(endpoint, message, retryAfter(headers));
        }
        if (status >= 500) {
            return new BackendException.Unavailable(endpoint, message, true, null);
        }
        if (status >= 400) {
            return new BackendException.Rejected(endpoint, message, status, upstream.contextOverflow());
        }
        return badReply("unexpected HTTP " + status + upstream.suffix(), null);
    }

    /** Maps anything a call failed with; a {@link BackendException} passes through unchanged. */
    BackendException classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof BackendException backend) {
                return backend;
            }
        }
        Throwable root = rootCause(error);
        for (Throwable t = error; t != null; t = t.getCause()) {
            // Our own overload, like a full bulkhead; reactor-netty shades reactor-pool, so matched by name.
            if (t.getClass().getSimpleName().equals("PoolAcquirePendingLimitException")) {
                return new BackendException.Unavailable(
                        endpoint, "busy: too many requests waiting for a connection", false, null);
            }
            if (t instanceof ConnectTimeoutException) {
                return new BackendException.Timeout(endpoint, "connect timed out" + detail(t));
            }
            if (t instanceof ConnectException) {
                return new BackendException.Unavailable(endpoint, "connection refused" + detail(t), true, chainable(t));
            }
            if (t instanceof UnknownHostException) {
                return new BackendException.Unavailable(endpoint, "unknown host" + detail(t), true, chainable(t));
            }
            if (t instanceof PrematureCloseException) {
                return new BackendException.Unavailable(
                        endpoint, "connection closed before the reply was complete", true, chainable(t));
            }
            if (t instanceof DataBufferLimitException) {
                return badReply("reply exceeds the size limit", null);
            }
            if (t instanceof JacksonException || t instanceof CodecException) {
                // Parser messages quote the offending content, which we do not control: say what, not how.
                return badReply("reply is not valid JSON", null);
            }
        }
        if (root instanceof IOException) {
            return new BackendException.Unavailable(
                    endpoint,
                    "connection failed: " + root.getClass().getSimpleName() + detail(root),
                    true,
                    chainable(root));
        }
        if (error instanceof WebClientException) {
            return new BackendException.Unavailable(
                    endpoint, "request failed: " + root.getClass().getSimpleName() + detail(root), true, null);
        }
        return new BackendException.Unavailable(
                endpoint, "unexpected failure: " + root.getClass().getSimpleName() + detail(root), false, null);
    }

    BackendException.BadReply badReply(String message, @Nullable Throwable cause) {
        return new BackendException.BadReply(endpoint, message, cause);
    }

    /**
     * An error object sent inside a 2xx reply or an SSE chunk (vLLM's mid-stream failure shape): a context overflow
     * is a rejection of the request, never retried; anything else a bad reply.
     */
    BackendException inBand(JsonNode root) {
        Upstream upstream = upstream(root);
        String message = "backend reported an error in its reply" + upstream.suffix();
        return upstream.contextOverflow()
                ? new BackendException.Rejected(endpoint, message, 400, true)
                : badReply(message, null);
    }

    /**
     * The wait a 429 asked for: {@code retry-after-ms} (OpenAI), else {@code Retry-After} in seconds or as an HTTP
     * date; {@code null} when absent or unreadable.
     */
    @Nullable
    Duration retryAfter(HttpHeaders headers) {
        String millis = headers.getFirst("retry-after-ms");
        if (millis != null) {
            try {
                return nonNegative(Duration.ofNanos((long) (Double.parseDouble(millis.trim()) * 1_000_000)));
            } catch (NumberFormatException e) {
                // fall through to Retry-After
            }
        }
        String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return nonNegative(Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000)));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return nonNegative(Duration.between(clock.instant(), at));
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    /** What the upstream said, and whether it says the context overflowed. */
    private record Upstream(String message, boolean contextOverflow) {
        String suffix() {
            return message.isEmpty() ? "" : ": " + message;
        }
    }

    private Upstream upstream(String body, @Nullable MediaType contentType) {
        String trimmed = body.trim();
        if (trimmed.startsWith("{")) {
            try {
                return upstream(mapper.readTree(trimmed));
            } catch (JacksonException e) {
                // not JSON after all: fall through to the text
            }
        }
        if (contentType != null && contentType.isCompatibleWith(MediaType.TEXT_HTML)) {
            Matcher title = HTML_TITLE.matcher(body);
            return new Upstream(sanitise("HTML page" + (title.find() ? " \"" + title.group(1) + "\"" : "")), false);
        }
        String message = sanitise(trimmed);
        return new Upstream(message, isContextOverflow(null, null, message));
    }

    /** Reads the OpenAI shape {"error":{"message","type","code"}} and the variants servers actually send. */
    private Upstream upstream(JsonNode root) {
        JsonNode error = root.path("error");
        String message;
        String type = null;
        String code = null;
        if (error.isObject()) {
            message = text(error.path("message"));
            type = text(error.path("type"));
            code = text(error.path("code"));
        } else if (error.isString()) {
            message = error.stringValue();
        } else if (root.path("message").isString()) {
            message = root.path("message").stringValue(); // vLLM before 0.9: {"object":"error","message":...}
            type = text(root.path("type"));
            code = text(root.path("code"));
        } else if (!root.path("detail").isMissingNode()) {
            message = text(root.path("detail")); // FastAPI validation errors
        } else {
            message = "";
        }
        String clean = sanitise(message);
        return new Upstream(clean, isContextOverflow(code, type, message));
    }

    private String text(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return "";
        }
        return node.isValueNode() ? node.asString("") : mapper.writeValueAsString(node);
    }

    static boolean isContextOverflow(@Nullable String code, @Nullable String type, String message) {
        if ("context_length_exceeded".equals(code) || "exceed_context_size_error".equals(type)) {
            return true;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        return CONTEXT_OVERFLOW_WORDING.stream().anyMatch(lower::contains);
    }

    /** One line, at most {@value #MAX_UPSTREAM_CHARS} characters, with the key and bearer tokens masked. */
    String sanitise(String text) {
        String clean = text;
        if (apiKey.isPresent()) {
            clean = clean.replace(apiKey.value(), "****");
        }
        clean = BEARER.matcher(clean).replaceAll("Bearer ****");
        clean = clean.replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
        if (clean.length() > MAX_UPSTREAM_CHARS) {
            clean = clean.substring(0, MAX_UPSTREAM_CHARS) + "...";
        }
        return clean;
    }

    private String detail(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? "" : ": " + sanitise(message);
    }

    /** Only plain transport exceptions are kept as causes; Spring's client exceptions carry the request headers. */
    private static @Nullable Throwable chainable(Throwable t) {
        return t instanceof WebClientException ? null : t;
    }

    private static Throwable rootCause(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
