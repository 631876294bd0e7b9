/** The {@code direct} strategy: one call to the solver, the baseline every other strategy is measured against. */
@NullMarked
package dev.deliberate.strategy.direct;

import org.jspecify.annotations.NullMarked;
