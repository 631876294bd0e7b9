/**
 * Configuration: the {@code deliberate.*} properties and the wiring of endpoints, profiles, strategies and the run
 * service. The only package that sees every other.
 */
@NullMarked
package dev.deliberate.config;

import org.jspecify.annotations.NullMarked;
