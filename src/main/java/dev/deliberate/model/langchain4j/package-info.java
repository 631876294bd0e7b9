/**
 * Endpoint kinds {@code langchain4j-openai} and {@code langchain4j-anthropic}: a remote paid model reached through
 * LangChain4j's provider clients. Blocking calls run on a bounded scheduler the caller provides, streaming bridges
 * LangChain4j's callbacks to a {@code Flux}, {@code n > 1} fans out into separate calls, and every LangChain4j failure
 * is classified once into a {@link dev.deliberate.model.BackendException}.
 *
 * <p>Depends on {@code dev.deliberate.model} and LangChain4j only.
 */
@NullMarked
package dev.deliberate.model.langchain4j;

import org.jspecify.annotations.NullMarked;
