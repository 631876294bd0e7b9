/**
 * Runs untrusted, model-written Python in a box: a separate process as an unprivileged user, in fresh namespaces
 * (no network, read-only system files, a size-capped scratch directory, its own pids), under hard rlimits and a wall
 * deadline kept from Java. Results come back on a channel the program's output cannot forge, and every comparison of
 * results happens in Java. When isolation cannot be established, the runner refuses to run: it fails closed.
 */
@NullMarked
package dev.deliberate.sandbox;

import org.jspecify.annotations.NullMarked;
