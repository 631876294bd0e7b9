package dev.deliberate.testkit;

import dev.deliberate.sandbox.BubblewrapCodeRunner;
import dev.deliberate.sandbox.CodeRunner;
import dev.deliberate.sandbox.SandboxSettings;

/**
 * One real sandbox for the tests that run code, with the shipped settings: its self-check runs once for the whole
 * test JVM. CI installs bubblewrap and Debian's python3, so a machine without them fails these tests, never skips.
 */
public final class Sandboxes {

    private static final BubblewrapCodeRunner RUNNER = new BubblewrapCodeRunner(SandboxSettings.defaults());

    private Sandboxes() {}

    public static CodeRunner runner() {
        return RUNNER;
    }
}
