/**
 * The {@code cascade} strategy (Zhu et al. 2024): answer with a local sub-profile and escalate to a server sub-profile
 * only when the local answer is probably wrong (confidence below a threshold, unknown or unreadable) or the local
 * endpoint could not answer. It runs both sub-profiles through {@link dev.deliberate.run.Run#solveWith}, sees models
 * only through the run, and counts its decisions with Micrometer.
 */
@NullMarked
package dev.deliberate.strategy.cascade;

import org.jspecify.annotations.NullMarked;
