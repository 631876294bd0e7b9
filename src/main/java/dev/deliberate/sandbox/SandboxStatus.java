package dev.deliberate.sandbox;

/**
 * Whether the sandbox can run code on this machine.
 *
 * @param available whether isolation was verified
 * @param detail what was checked, or why it failed, for health and error messages
 */
public record SandboxStatus(boolean available, String detail) {}
