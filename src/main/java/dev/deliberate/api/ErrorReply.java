package dev.deliberate.api;

import dev.deliberate.model.BackendException;
import dev.deliberate.run.DeliberateException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The one mapping from a failure to what the client sees: HTTP status, OpenAI error body and {@code Retry-After}.
 * Used before a response is committed (as the status) and after (as the final SSE error event). Unexpected
 * exceptions become a 500 without internals; their details go to the log only.
 */
public record ErrorReply(
        int status, ApiError body, @Nullable Duration retryAfter) {

    private static final Logger log = LoggerFactory.getLogger(ErrorReply.class);

    public static ErrorReply of(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof DeliberateException d) {
            return new ErrorReply(
                    d.status(), ApiError.of(d.getMessage(), d.type(), d.param(), d.code()), d.retryAfter());
        }
        if (e instanceof BackendException b) {
            return backend(b);
        }
        if (e instanceof TimeoutException) {
            return new ErrorReply(
                    504, ApiError.of("deadline passed", "timeout_error", null, "deadline_exceeded"), null);
        }
        if (e instanceof DataBufferLimitException) {
            return tooLarge();
        }
        if (e instanceof ServerWebInputException input) {
            return badInput(input);
        }
        if (e instanceof ResponseStatusException status) {
            int code = status.getStatusCode().value();
            String message = status.getReason() != null
                    ? status.getReason()
                    : status.getStatusCode().toString();
            return new ErrorReply(
                    code,
                    ApiError.of(message, code >= 500 ? "server_error" : "invalid_request_error", null, null),
                    null);
        }
        log.error("unexpected failure", e);
        return new ErrorReply(500, ApiError.of("internal error", "server_error", null, "internal_error"), null);
    }

    /** Whether the same request may succeed later: rate limits, overload, timeouts and unavailable backends. */
    public boolean retriable() {
        return status == 429 || status == 503 || status == 504 || status == 500;
    }

    public static ErrorReply tooLarge() {
        return new ErrorReply(
                413,
                ApiError.of("request body is too large", "invalid_request_error", null, "request_too_large"),
                null);
    }

    private static ErrorReply backend(BackendException b) {
        String message = b.getMessage();
        if (b instanceof BackendException.RateLimited limited) {
            return new ErrorReply(
                    429, ApiError.of(message, "rate_limit_error", null, "backend_rate_limited"), limited.retryAfter());
        }
        if (b instanceof BackendException.Timeout) {
            return new ErrorReply(504, ApiError.of(message, "timeout_error", null, "backend_timeout"), null);
        }
        if (b instanceof BackendException.Unavailable) {
            return new ErrorReply(
                    503,
                    ApiError.of(message, "service_unavailable", null, "backend_unavailable"),
                    Duration.ofSeconds(1));
        }
        if (b instanceof BackendException.Rejected rejected && rejected.contextOverflow()) {
            return new ErrorReply(
                    400, ApiError.of(message, "invalid_request_error", "messages", "context_length_exceeded"), null);
        }
        if (b instanceof BackendException.Rejected) {
            return new ErrorReply(502, ApiError.of(message, "bad_gateway", null, "backend_rejected"), null);
        }
        return new ErrorReply(502, ApiError.of(message, "bad_gateway", null, "backend_bad_reply"), null);
    }

    private static ErrorReply badInput(ServerWebInputException input) {
        for (Throwable t = input; t != null; t = t.getCause()) {
            if (t instanceof DataBufferLimitException) {
                return tooLarge();
            }
            if (t instanceof UnrecognizedPropertyException unknown) {
                String field = JsonPaths.of(unknown);
                return invalid(field, "unknown field; backends and keys come only from server configuration");
            }
            if (t instanceof JacksonException jackson && !(t instanceof DecodingException)) {
                String field = JsonPaths.of(jackson);
                String reason = jackson.getOriginalMessage();
                int newline = reason.indexOf('\n');
                return invalid(field.isEmpty() ? null : field, newline < 0 ? reason : reason.substring(0, newline));
            }
        }
        String reason = input.getReason() != null ? input.getReason() : "invalid request body";
        return invalid(null, reason);
    }

    private static ErrorReply invalid(@Nullable String field, String message) {
        return new ErrorReply(
                400,
                ApiError.of(
                        field == null ? message : field + ": " + message,
                        "invalid_request_error",
                        field,
                        "invalid_value"),
                null);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof java.util.concurrent.CompletionException
                        || e instanceof java.util.concurrent.ExecutionException
                        || e.getClass().getName().equals("reactor.core.Exceptions$ReactiveException"))
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
