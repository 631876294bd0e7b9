/**
 * The engine: a {@link dev.deliberate.run.Strategy} answers a {@link dev.deliberate.run.Problem} through a
 * {@link dev.deliberate.run.Run}, the only door it has to models, budget and trace. {@link
 * dev.deliberate.run.RunService} admits runs, enforces budget and deadline, publishes trace steps live and keeps
 * recent runs.
 *
 * <p>Depends on {@code model} and {@code answer}; declares {@link dev.deliberate.run.ProfileLookup}, which the
 * {@code profile} package implements.
 */
@NullMarked
package dev.deliberate.run;

import org.jspecify.annotations.NullMarked;
