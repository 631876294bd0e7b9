package dev.deliberate.strategy.vote;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.Solution;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Self-consistency (Wang et al. 2023): sample {@code n} reasoning paths at a non-zero temperature, extract each
 * final answer and return the majority; confidence is the winner's share of all samples.
 */
final class SelfConsistencyStrategy implements Strategy {

    private final SelfConsistencyParameters parameters;
    private final AnswerFormat format;

    SelfConsistencyStrategy(SelfConsistencyParameters parameters, AnswerFormat format) {
        this.parameters = parameters;
        this.format = format;
    }

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        AnswerKind kind = problem.kindOr(parameters.answerKind());
        // Fewer samples than planned still vote; none at all lets the budget's own error through.
        Run.Allowance allowance = run.samplesWithinBudget(Roles.SOLVER, parameters.n());
        int samples = allowance.granted() > 0 ? allowance.granted() : parameters.n();
        GenerationRequest request = GenerationRequest.of(format.frame(problem.messages(), kind))
                .withN(samples)
                .withTemperature(parameters.temperature())
                .withTopP(parameters.topP())
                .withMaxTokens(parameters.maxTokens());
        return run.generate(Roles.SOLVER, request)
                .flatMap(generation -> run.step(StepKind.VOTE, "majority", notes -> {
                    List<Ballot> ballots = generation.choices().stream()
                            .map(Choice::text)
                            .map(text -> new Ballot(format.extract(kind, text).orElse(null), text, 1.0))
                            .toList();
                    Tally tally = Voting.tally(ballots, run.seed());
                    notes.put("votes", tally.weights()).put("ballots", tally.ballots());
                    String answer =
                            tally.winner() == null ? null : tally.winner().raw();
                    run.offer(new Candidate(answer, tally.text(), tally.share()));
                    notes.put("winner", answer == null ? "none" : answer).put("share", tally.share());
                    Solution solution = new Solution(
                            answer,
                            tally.text(),
                            tally.share(),
                            Map.of("votes", tally.weights(), "samples", tally.ballots()));
                    // The winner's representative text is one sample's; say so if a token limit cut it.
                    solution = solution.textCut(generation.choices().stream()
                            .anyMatch(choice -> choice.text().equals(tally.text()) && choice.cutByLength()));
                    return Mono.just(
                            allowance.limitedBy() == null ? solution : solution.stoppedBy(allowance.limitedBy()));
                }));
    }
}
