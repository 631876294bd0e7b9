/**
 * The project's own small language model, the embedded default: a seeded generator of the multi-step arithmetic
 * corpus it is trained on (with a held-out split in GSM8K's format), and the endpoint {@code embedded} that serves the
 * committed checkpoint through the {@code djl} kind when nothing else is configured (docs/embedded-model.md).
 */
@NullMarked
package dev.deliberate.model.embedded;

import org.jspecify.annotations.NullMarked;
