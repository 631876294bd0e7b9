/**
 * The {@code agot} strategy (Adaptive Graph of Thoughts, Pandey et al. 2025): the solver plans a DAG of sub-tasks
 * layer by layer, each node is checked for complexity and either answered (by the solver or a leaf profile) or
 * expanded into a nested graph, and a final node combines the results into the answer. Every model reply is strict
 * JSON read by a small reader of its own (strategies touch no wire-format library), repaired once, then replaced by a
 * recorded fallback; hard caps on depth, layers and nodes hold whatever the model asks.
 */
@NullMarked
package dev.deliberate.strategy.agot;

import org.jspecify.annotations.NullMarked;
