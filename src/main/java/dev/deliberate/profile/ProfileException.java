package dev.deliberate.profile;

/** A profile that cannot run as configured; the message names the file and the field. Stops startup. */
public final class ProfileException extends IllegalStateException {

    public ProfileException(String message) {
        super(message);
    }
}
