/**
 * The {@code spar} strategy (inference-time tree-search refinement from SPaR, Cheng et al. 2024): the actor answers,
 * a judge samples verdicts on whether the answer meets every constraint of the instruction, and a failing answer is
 * refined in a breadth- or depth-first tree search whose nodes are judged the same way. User text is fenced as data
 * in every prompt, verdicts and refinements are read only from the model's own reply, and caps on depth, breadth,
 * nodes and judge samples hold whatever the model does.
 */
@NullMarked
package dev.deliberate.strategy.spar;

import org.jspecify.annotations.NullMarked;
