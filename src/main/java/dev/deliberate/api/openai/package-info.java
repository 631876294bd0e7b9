/**
 * The OpenAI-compatible API: {@code POST /v1/chat/completions} (the {@code model} field names a profile) and
 * {@code GET /v1/models}. Any OpenAI client works unchanged; Deliberate's own facts travel in the extension object
 * {@code deliberate}.
 */
@NullMarked
package dev.deliberate.api.openai;

import org.jspecify.annotations.NullMarked;
