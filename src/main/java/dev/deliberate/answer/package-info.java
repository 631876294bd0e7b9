/**
 * Final answers in model output: the {@link dev.deliberate.answer.AnswerKind}s a problem may ask for, the
 * {@link dev.deliberate.answer.AnswerExtractor} that pulls an {@link dev.deliberate.answer.Answer} with a canonical
 * grouping key out of free-text reasoning, and {@link dev.deliberate.answer.AnswerEquivalence}, which decides whether
 * two answers are the same. Every reader here runs in time linear in the response and rejects oversized numbers, so a
 * hostile response cannot stall a vote.
 *
 * <p>Plain Java; depends on nothing else of ours.
 */
@NullMarked
package dev.deliberate.answer;

import org.jspecify.annotations.NullMarked;
