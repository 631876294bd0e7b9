/**
 * Self-evaluation (Manvi, Singh and Ermon 2024): the model's own one-token answer to "would starting over give a
 * better response?" scores a (partial) response, and the score drives best-of-N selection, adaptive sampling
 * ({@code strategy: adaptive}) and early pruning of streamed samples ({@code strategy: prune}). The scorer is a seam
 * ({@link dev.deliberate.strategy.selfeval.SelfEvaluator}) so that a fine-tuned model can answer differently.
 *
 * <p>Depends on {@code run}, {@code model} (types), {@code prompt}, {@code answer} and {@code strategy}.
 */
@NullMarked
package dev.deliberate.strategy.selfeval;

import org.jspecify.annotations.NullMarked;
