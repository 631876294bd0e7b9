package dev.deliberate.sandbox;

import dev.deliberate.run.DeliberateException;

/** The sandbox cannot run code: isolation is unverified on this machine, or it is too busy. Clients get a 503. */
public final class SandboxUnavailableException extends DeliberateException {

    public SandboxUnavailableException(String code, String message) {
        super(503, "server_error", null, code, message, null, null);
    }
}
