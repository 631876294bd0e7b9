package dev.deliberate.profile;

import org.springframework.core.env.PropertySource;

/**
 * One profile file as properties under {@code deliberate.profiles.<name>.}, with their origins (file and line).
 *
 * @param location the file, for messages
 */
public record ProfileSource(String name, String location, PropertySource<?> properties) {}
