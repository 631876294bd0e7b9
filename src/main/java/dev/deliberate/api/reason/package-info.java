/**
 * The native API: {@code POST /v1/reason} (JSON, or server-sent trace steps then the solution),
 * {@code GET /v1/runs/{id}} and {@code GET /v1/profiles}.
 */
@NullMarked
package dev.deliberate.api.reason;

import org.jspecify.annotations.NullMarked;
