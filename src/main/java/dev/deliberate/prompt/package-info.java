/**
 * Prompt templates: {@code prompts/<strategy>/<name>.md}, loaded once at startup and rendered by plain variable
 * substitution, so text a user supplies is data and is never read as a template.
 *
 * <p>Depends on nothing else of ours.
 */
@NullMarked
package dev.deliberate.prompt;

import org.jspecify.annotations.NullMarked;
