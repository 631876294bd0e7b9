package dev.deliberate.model;

/** A credential. Its {@code toString} is masked so that it cannot leak through logs, traces or error messages. */
public record Secret(String value) {

    public static final Secret NONE = new Secret("");

    public Secret {
        value = value == null ? "" : value;
    }

    public boolean isPresent() {
        return !value.isBlank();
    }

    @Override
    public String toString() {
        return isPresent() ? "****" : "";
    }
}
