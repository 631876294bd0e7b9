/**
 * The {@code openai} endpoint kind: {@link dev.deliberate.model.openai.OpenAiEndpoint} calls any OpenAI-compatible
 * server (vLLM, llama.cpp, Ollama, SGLang, DJL Serving) through a non-blocking WebClient, parses JSON and SSE replies,
 * fans out {@code n} where the backend lacks it, probes capabilities, and classifies every failure once into a
 * {@link dev.deliberate.model.BackendException}.
 *
 * <p>Depends on the {@code model} SPI only; the wire format stays inside this package.
 */
@NullMarked
package dev.deliberate.model.openai;

import org.jspecify.annotations.NullMarked;
