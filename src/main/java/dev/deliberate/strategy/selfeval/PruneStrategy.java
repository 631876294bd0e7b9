package dev.deliberate.strategy.selfeval;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.Solution;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Early pruning (Manvi et al. 2024): start N streams at once, score each prefix at the token checkpoint, cancel all
 * but the best {@code keep} fraction, let the survivors finish, and return the survivor with the best full-response
 * score. Streams that end before the checkpoint are complete candidates, scored once. Confidence is 1 − the chosen
 * sample's score. One failed stream fails the run (its siblings are cancelled), as one failed call fails
 * self-consistency: the endpoint has already retried what was worth retrying.
 */
final class PruneStrategy implements Strategy {

    private final PruneParameters parameters;
    private final AnswerFormat format;
    private final SelfEvaluator evaluator;

    PruneStrategy(PruneParameters parameters, AnswerFormat format, SelfEvaluator evaluator) {
        this.parameters = parameters;
        this.format = format;
        this.evaluator = evaluator;
    }

    /** How many streams to start and which budget limit cut them below {@code n}, if any. */
    private record Streams(int count, @Nullable String limitedBy) {}

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        AnswerKind kind = problem.kindOr(parameters.answerKind());
        List<ChatMessage> conversation = format.frame(problem.messages(), kind);
        Streams streams = streamsWithinBudget(run);
        GenerationRequest request = GenerationRequest.of(conversation)
                .withTemperature(parameters.temperature())
                .withTopP(parameters.topP())
                .withMaxTokens(parameters.maxTokens());
        if (run.capabilities(Roles.SOLVER).logprobs()) {
            request = request.withLogprobs(0); // to count tokens exactly at the checkpoint
        }
        GenerationRequest each = request;
        List<Lane> lanes = IntStream.range(0, streams.count())
                .mapToObj(i -> new Lane(i, parameters.checkpoint()))
                .toList();
        Mono<List<Scored>> finished = Flux.merge(lanes.stream()
                        .map(lane -> lane.run(run, each, conversation, evaluator)
                                .doOnNext(sample -> run.offer(new Candidate(
                                        answer(kind, sample.text()), sample.text(), sample.confidence()))))
                        .toList())
                .collectList();
        Mono<List<Lane.Reading>> decided = Flux.fromIterable(lanes)
                .concatMap(Lane::reading)
                .collectList()
                .doOnNext(readings -> prune(lanes, readings));
        return Mono.zip(finished, decided).map(both -> solution(both.getT1(), both.getT2(), kind, streams.limitedBy()));
    }

    /** Keeps the best-scored running streams and cancels the rest; streams already complete are left alone. */
    private void prune(List<Lane> lanes, List<Lane.Reading> readings) {
        List<Lane> running = new ArrayList<>();
        for (Lane lane : lanes) {
            if (!readings.get(lane.index()).complete()) {
                running.add(lane);
            }
        }
        running.sort(Comparator.<Lane>comparingDouble(
                        lane -> readings.get(lane.index()).score())
                .thenComparingInt(Lane::index));
        int survivors = parameters.survivors(running.size());
        for (int k = 0; k < running.size(); k++) {
            if (k < survivors) {
                running.get(k).keep();
            } else {
                running.get(k).prune();
            }
        }
    }

    /**
     * Up to n streams within the breadth, as many as the call budget pays for with their checkpoint scores and the
     * survivors' final scores; none at all lets the budget's own error through.
     */
    private Streams streamsWithinBudget(Run run) {
        int wanted = parameters.n();
        int widest = Math.min(wanted, run.fanOut());
        int calls = run.budget().callsLeft();
        int count = widest;
        while (count > 0 && callsFor(count) > calls) {
            count--;
        }
        if (count == wanted) {
            return new Streams(wanted, null);
        }
        if (count == 0) {
            return new Streams(widest, null);
        }
        return new Streams(count, count == widest ? "max_breadth" : "max_model_calls");
    }

    private int callsFor(int streams) {
        return 2 * streams + parameters.survivors(streams);
    }

    private Solution solution(
            List<Scored> candidates, List<Lane.Reading> readings, AnswerKind kind, @Nullable String budgetLimit) {
        List<Scored> ordered = candidates.stream()
                .sorted(Comparator.comparingInt(Scored::index))
                .toList();
        Scored best = Scored.best(ordered);
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("samples", readings.size());
        notes.put("pruned", readings.size() - ordered.size());
        notes.put(
                "checkpoint_scores", readings.stream().map(Lane.Reading::score).toList());
        notes.put("candidates", ordered.stream().map(Scored::index).toList());
        notes.put("scores", ordered.stream().map(Scored::score).toList());
        notes.put("chosen", best.index());
        Solution solution =
                new Solution(answer(kind, best.text()), best.text(), best.confidence(), notes).textCut(best.cut());
        return budgetLimit == null ? solution : solution.stoppedBy(budgetLimit);
    }

    private @Nullable String answer(AnswerKind kind, String text) {
        return format.extract(kind, text).map(Answer::raw).orElse(null);
    }
}
