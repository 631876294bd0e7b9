/**
 * FunCoder (Chen et al. 2024): code generation by recursive functional decomposition. A function is divided into
 * helper stubs, the helpers are solved depth first, and each function is then re-implemented several times and the
 * implementation whose behaviour agrees most with the others, on model-written inputs run in the sandbox, is kept.
 */
@NullMarked
package dev.deliberate.strategy.funcoder;

import org.jspecify.annotations.NullMarked;
