/**
 * Voting strategies: self-consistency (a majority over sampled answers) and RPC (perplexity consistency with
 * reasoning pruning). Both sample through one {@code VotingStrategy} and share answer reading, the budget allowance
 * and the solution; they differ only in their aggregation rule, {@code Majority} or {@code PerplexityConsistency},
 * which weighs the ballots that {@link dev.deliberate.strategy.vote.Voting} tallies. RPC's Weibull-mixture fit uses
 * Hipparchus's bounded optimiser.
 *
 * <p>Depends on {@code run}, {@code model} (types), {@code answer}, {@code strategy} and Hipparchus.
 */
@NullMarked
package dev.deliberate.strategy.vote;

import org.jspecify.annotations.NullMarked;
