package dev.deliberate.run;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A failure the client should see as such: it carries the HTTP status and the OpenAI error fields ({@code type},
 * {@code param}, {@code code}). Backend failures stay {@link dev.deliberate.model.BackendException}s; the api layer
 * maps both.
 */
public class DeliberateException extends RuntimeException {

    private final int status;
    private final String type;
    private final @Nullable String param;
    private final String code;
    private final @Nullable Duration retryAfter;

    public DeliberateException(
            int status,
            String type,
            @Nullable String param,
            String code,
            String message,
            @Nullable Duration retryAfter,
            @Nullable Throwable cause) {
        super(message, cause);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public static DeliberateException invalidRequest(@Nullable String param, String message) {
        String text = param == null ? message : param + ": " + message;
        return new DeliberateException(400, "invalid_request_error", param, "invalid_value", text, null, null);
    }

    public static DeliberateException notFound(@Nullable String param, String code, String message) {
        return new DeliberateException(404, "invalid_request_error", param, code, message, null, null);
    }

    public static DeliberateException overloaded(String message, Duration retryAfter) {
        return new DeliberateException(429, "rate_limit_error", null, "overloaded", message, retryAfter, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public @Nullable String param() {
        return param;
    }

    public String code() {
        return code;
    }

    public @Nullable Duration retryAfter() {
        return retryAfter;
    }
}
