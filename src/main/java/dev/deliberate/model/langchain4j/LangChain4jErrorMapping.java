package dev.deliberate.model.langchain4j;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Secret;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnresolvedModelServerException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Classifies whatever LangChain4j (or the JDK HTTP client under it) throws into one {@link BackendException}. The
 * only place in this package that looks at exception types.
 *
 * <p>Messages carry the endpoint name, the status and at most a short excerpt of the provider's error message, with
 * the API key scrubbed out; an authentication failure carries no provider text at all, because providers echo part
 * of the rejected key there.
 */
final class LangChain4jErrorMapping {

    private static final int MAX_DETAIL = 200;
    private static final Pattern JSON_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String[] CONTEXT_OVERFLOW_HINTS = {
        "context length", "context_length", "maximum context", "context window", "too long", "too many tokens"
    };

    private final String endpoint;
    private final Secret apiKey;

    LangChain4jErrorMapping(String endpoint, Secret apiKey) {
        this.endpoint = endpoint;
        this.apiKey = apiKey;
    }

    BackendException map(Throwable error) {
        if (error instanceof BackendException classified) {
            return classified;
        }
        // LangChain4j wraps the HttpException that carries the status; the JDK client wraps IOExceptions in
        // RuntimeExceptions. Walk the chain and let the outermost recognised cause decide.
        for (Throwable cause = error; cause != null; cause = next(cause)) {
            BackendException mapped = classify(cause, error);
            if (mapped != null) {
                return mapped;
            }
        }
        return new BackendException.BadReply(
                endpoint, "unexpected failure (" + error.getClass().getSimpleName() + ")", error);
    }

    private @Nullable BackendException classify(Throwable cause, Throwable error) {
        Integer status = status(error);
        if (cause instanceof RateLimitException) {
            return new BackendException.RateLimited(endpoint, "rate limited (429)" + detail(error), null);
        }
        if (cause instanceof TimeoutException
                || cause instanceof HttpTimeoutException
                || cause instanceof SocketTimeoutException) {
            return new BackendException.Timeout(endpoint, "timed out waiting for the provider");
        }
        if (cause instanceof AuthenticationException) {
            int code = status == null ? 401 : status;
            return new BackendException.Rejected(endpoint, "authentication failed (" + code + ")", code, false);
        }
        if (cause instanceof ModelNotFoundException) {
            int code = status == null ? 404 : status;
            return new BackendException.Rejected(
                    endpoint, "model not found (" + code + ")" + detail(error), code, false);
        }
        if (cause instanceof InvalidRequestException) {
            return rejected(status == null ? 400 : status, error);
        }
        if (cause instanceof InternalServerException) {
            return unavailable("server error (" + (status == null ? "5xx" : status) + ")" + detail(error), null);
        }
        if (cause instanceof HttpException http) {
            return byStatus(http.statusCode(), error);
        }
        if (cause instanceof UnresolvedModelServerException) {
            return unavailable("cannot resolve the provider's host", error);
        }
        if (cause instanceof ConnectException) {
            return unavailable("cannot connect to the provider", error);
        }
        if (cause instanceof RejectedExecutionException) {
            return unavailable("no free worker for a blocking call", error);
        }
        if (cause instanceof IOException) {
            return unavailable("connection failed (" + cause.getClass().getSimpleName() + ")", error);
        }
        if (cause instanceof IllegalArgumentException) {
            // LangChain4j validates requests (blank messages, bad values) with IllegalArgumentException.
            return new BackendException.Rejected(endpoint, "invalid request" + detail(error), 400, false);
        }
        return null;
    }

    private BackendException byStatus(int status, Throwable error) {
        if (status == 429) {
            return new BackendException.RateLimited(endpoint, "rate limited (429)" + detail(error), null);
        }
        if (status == 408) {
            return new BackendException.Timeout(endpoint, "timed out (408)");
        }
        if (status == 401 || status == 403) {
            return new BackendException.Rejected(endpoint, "authentication failed (" + status + ")", status, false);
        }
        if (status >= 500) {
            return unavailable("server error (" + status + ")" + detail(error), null);
        }
        return rejected(status, error);
    }

    private BackendException rejected(int status, Throwable error) {
        String text = providerText(error);
        String lower = text.toLowerCase(Locale.ROOT);
        boolean contextOverflow = false;
        for (String hint : CONTEXT_OVERFLOW_HINTS) {
            contextOverflow |= lower.contains(hint);
        }
        return new BackendException.Rejected(
                endpoint, "request rejected (" + status + ")" + detail(error), status, contextOverflow);
    }

    /**
     * @param cause kept for transport failures only: after an HTTP error the cause holds the provider's whole body,
     *     which may echo the key, and the status and excerpt say all that is needed
     */
    private BackendException unavailable(String message, @Nullable Throwable cause) {
        return new BackendException.Unavailable(endpoint, message, true, cause);
    }

    /** The HTTP status, from the {@link HttpException} LangChain4j keeps as the cause of its typed exceptions. */
    private static @Nullable Integer status(Throwable error) {
        for (Throwable cause = error; cause != null; cause = next(cause)) {
            if (cause instanceof HttpException http) {
                return http.statusCode();
            }
        }
        return null;
    }

    /** The provider's error text: the body LangChain4j kept in the {@link HttpException}, else the message. */
    private static String providerText(Throwable error) {
        for (Throwable cause = error; cause != null; cause = next(cause)) {
            if (cause instanceof HttpException && cause.getMessage() != null) {
                return cause.getMessage();
            }
        }
        String message = error.getMessage();
        return message == null ? "" : message;
    }

    /** ": " and a short, key-free excerpt of the provider's message, or "" when there is none. */
    private String detail(Throwable error) {
        String text = providerText(error);
        Matcher json = JSON_MESSAGE.matcher(text);
        if (json.find()) {
            text = json.group(1).replace("\\\"", "\"").replace("\\n", " ");
        }
        if (apiKey.isPresent()) {
            text = text.replace(apiKey.value(), "****");
        }
        text = text.replaceAll("\\s+", " ").strip();
        if (text.length() > MAX_DETAIL) {
            text = text.substring(0, MAX_DETAIL) + "...";
        }
        return text.isEmpty() ? "" : ": " + text;
    }

    private static @Nullable Throwable next(Throwable cause) {
        Throwable next = cause.getCause();
        return next == cause ? null : next;
    }
}
