package dev.deliberate.api;

import org.jspecify.annotations.Nullable;

/** The OpenAI error body: {@code {"error": {"message", "type", "param", "code"}}}. */
public record ApiError(Detail error) {

    public record Detail(
            String message,
            String type,
            @Nullable String param,
            @Nullable String code) {}

    public static ApiError of(String message, String type, @Nullable String param, @Nullable String code) {
        return new ApiError(new Detail(message, type, param, code));
    }
}
