/**
 * Voting strategies: self-consistency (majority over sampled answers) now, perplexity-weighted voting next. Both
 * share sampling and answer handling and differ only in the weight of a ballot.
 */
@NullMarked
package dev.deliberate.strategy.vote;

import org.jspecify.annotations.NullMarked;
