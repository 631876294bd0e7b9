/**
 * Profiles: {@code strategies/<name>.yaml} files naming a strategy kind, its parameters, the endpoint behind each
 * role and a budget. Loaded and validated at startup; any value can be overridden through Spring property sources
 * under {@code deliberate.profiles.<name>.*}. The registry implements {@link dev.deliberate.run.ProfileLookup}.
 *
 * <p>Depends on {@code run} and {@code model}.
 */
@NullMarked
package dev.deliberate.profile;

import org.jspecify.annotations.NullMarked;
