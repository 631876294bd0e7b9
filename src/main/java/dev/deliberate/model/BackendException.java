package dev.deliberate.model;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A classified backend failure. The subclass decides whether a retry may help; the api layer maps each to one HTTP
 * status. Messages never contain keys or request bodies.
 */
public abstract sealed class BackendException extends RuntimeException {

    private final String endpoint;

    protected BackendException(String endpoint, String message, @Nullable Throwable cause) {
        super(endpoint + ": " + message, cause);
        this.endpoint = endpoint;
    }

    public String endpoint() {
        return endpoint;
    }

    /** Whether another attempt at the same call may succeed. */
    public abstract boolean retriable();

    /** Whether this failure says something about the backend's health (and so feeds the circuit breaker). */
    public boolean countsAgainstBackend() {
        return retriable();
    }

    /** Connection refused or reset, 5xx, or a local guard (open circuit, full bulkhead) that refused the call. */
    public static final class Unavailable extends BackendException {
        private final boolean transientFailure;

        public Unavailable(String endpoint, String message, boolean transientFailure, @Nullable Throwable cause) {
            super(endpoint, message, cause);
            this.transientFailure = transientFailure;
        }

        @Override
        public boolean retriable() {
            return transientFailure;
        }
    }

    /** 429 from the backend, with the wait it asked for when it gave one. */
    public static final class RateLimited extends BackendException {
        private final @Nullable Duration retryAfter;

        public RateLimited(String endpoint, String message, @Nullable Duration retryAfter) {
            super(endpoint, message, null);
            this.retryAfter = retryAfter;
        }

        public @Nullable Duration retryAfter() {
            return retryAfter;
        }

        @Override
        public boolean retriable() {
            return true;
        }

        @Override
        public boolean countsAgainstBackend() {
            return false;
        }
    }

    /** Connect, first-byte, idle or total timeout. */
    public static final class Timeout extends BackendException {
        public Timeout(String endpoint, String message) {
            super(endpoint, message, null);
        }

        @Override
        public boolean retriable() {
            return true;
        }
    }

    /** A reply we cannot use: malformed JSON, an in-band error, a stream cut short, an unexpected content type. */
    public static final class BadReply extends BackendException {
        public BadReply(String endpoint, String message, @Nullable Throwable cause) {
            super(endpoint, message, cause);
        }

        @Override
        public boolean retriable() {
            return true;
        }
    }

    /** The backend refused the request itself (4xx other than 429): retrying the same request cannot help. */
    public static final class Rejected extends BackendException {
        private final int status;
        private final boolean contextOverflow;

        public Rejected(String endpoint, String message, int status, boolean contextOverflow) {
            super(endpoint, message, null);
            this.status = status;
            this.contextOverflow = contextOverflow;
        }

        public int status() {
            return status;
        }

        /** The prompt plus the requested tokens exceed the model's context window. */
        public boolean contextOverflow() {
            return contextOverflow;
        }

        @Override
        public boolean retriable() {
            return false;
        }
    }
}
