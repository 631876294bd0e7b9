/**
 * Operations that strategies share (framing a problem for its answer kind, voting), and one sub-package per
 * strategy. Strategies see models only through {@link dev.deliberate.run.Run}; they never touch HTTP or wire formats.
 *
 * <p>Depends on {@code run}, {@code model} (types), {@code prompt}, {@code answer} and {@code sandbox}.
 */
@NullMarked
package dev.deliberate.strategy;

import org.jspecify.annotations.NullMarked;
