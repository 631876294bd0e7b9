package dev.deliberate.strategy.vote;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.Solution;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.StepNotes;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Sample and vote, the body that self-consistency and RPC share: sample {@code n} reasoning paths from the solver in
 * one request, read each final answer into a ballot, and let the {@link AggregationRule} weigh and tally them. The
 * winner is offered to the run and returned with the rule's confidence.
 */
final class VotingStrategy implements Strategy {

    private static final int EXCERPT = 200;

    private final SamplePlan plan;
    private final AnswerFormat format;
    private final AggregationRule rule;

    VotingStrategy(SamplePlan plan, AnswerFormat format, AggregationRule rule) {
        this.plan = plan;
        this.format = format;
        this.rule = rule;
    }

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        AnswerKind kind = problem.kindOr(plan.answerKind());
        // Fewer samples than planned still vote; none at all lets the budget's own error through.
        Run.Allowance allowance = run.samplesWithinBudget(Roles.SOLVER, plan.n());
        int samples = allowance.granted() > 0 ? allowance.granted() : plan.n();
        GenerationRequest request = rule.request(GenerationRequest.of(format.frame(problem.messages(), kind))
                .withN(samples)
                .withTemperature(plan.temperature())
                .withTopP(plan.topP())
                .withMaxTokens(plan.maxTokens()));
        return run.generate(Roles.SOLVER, request)
                .flatMap(generation -> Flux.fromIterable(generation.choices())
                        .concatMap(choice -> sample(run, kind, choice))
                        .collectList()
                        .flatMap(ballots -> run.step(StepKind.VOTE, rule.name(), notes -> {
                            Mono<Solution> vote =
                                    Mono.fromCallable(() -> decide(generation, ballots, allowance, run, notes));
                            return rule.offloaded() ? vote.subscribeOn(Schedulers.parallel()) : vote;
                        })));
    }

    /** One sampled path as a step of its own, so that a trace shows every sample; the call itself was one request. */
    private Mono<Ballot> sample(Run run, AnswerKind kind, Choice choice) {
        return run.step(StepKind.GROUP, "sample", notes -> {
            Ballot ballot = new Ballot(format.extract(kind, choice.text()).orElse(null), choice.text(), 1.0);
            notes.put("index", choice.index())
                    .put(
                            "answer",
                            ballot.answer() == null ? "none" : ballot.answer().canonical())
                    .put("finish_reason", String.valueOf(choice.finishReason()))
                    .put("text", StepNotes.excerpt(choice.text(), EXCERPT));
            double mean = choice.meanLogprob();
            if (!Double.isNaN(mean)) {
                notes.put("p", Math.exp(mean));
            }
            return Mono.just(ballot);
        });
    }

    private Solution decide(
            Generation generation, List<Ballot> ballots, Run.Allowance allowance, Run run, StepNotes notes) {
        AggregationRule.Vote vote = rule.vote(generation, ballots, run.seed(), notes);
        Tally tally = vote.tally();
        String answer = tally.winner() == null ? null : tally.winner().raw();
        run.offer(new Candidate(answer, tally.text(), tally.share()));
        notes.put("winner", answer == null ? "none" : answer).put("share", tally.share());
        Map<String, Object> solutionNotes = new LinkedHashMap<>(vote.solutionNotes());
        solutionNotes.put("samples", tally.ballots());
        Solution solution = new Solution(answer, tally.text(), tally.share(), solutionNotes);
        // The winner's representative text is one sample's; say so if a token limit cut it.
        solution = solution.textCut(generation.choices().stream()
                .anyMatch(choice -> choice.text().equals(tally.text()) && choice.cutByLength()));
        return allowance.limitedBy() == null ? solution : solution.stoppedBy(allowance.limitedBy());
    }
}
