package dev.deliberate.eval;

/** A dataset that cannot be read; the message names the file and, for a bad line, its number. */
public final class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
