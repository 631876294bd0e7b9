/**
 * Endpoint kind {@code djl}: a decoder-only causal language model served in-process through DJL on PyTorch (the GPU
 * when DJL finds one, the CPU otherwise). It owns the model directory format ({@link
 * dev.deliberate.model.djl.ModelConfig}, a HuggingFace {@code tokenizer.json} and the weights), the project's own
 * transformer ({@link dev.deliberate.model.djl.CausalTransformer}), and {@link dev.deliberate.model.djl.DjlEndpoint},
 * which decodes on its own bounded scheduler.
 *
 * <p>Depends on the {@code model} SPI only.
 */
@NullMarked
package dev.deliberate.model.djl;

import org.jspecify.annotations.NullMarked;
