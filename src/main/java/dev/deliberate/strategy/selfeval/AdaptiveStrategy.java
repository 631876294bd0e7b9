package dev.deliberate.strategy.selfeval;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.Solution;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Adaptive sampling (Manvi et al. 2024): draw one sample at the schedule's temperature, score it, and stop as soon
 * as a score falls below the threshold, or at N_max samples, or when the call budget cannot pay for one more sample
 * and its score. The answer is the best-scored sample drawn; confidence is 1 − its score.
 */
final class AdaptiveStrategy implements Strategy {

    /** A sample and its score. */
    private static final int CALLS_PER_SAMPLE = 2;

    private final AdaptiveParameters parameters;
    private final AnswerFormat format;
    private final SelfEvaluator evaluator;

    AdaptiveStrategy(AdaptiveParameters parameters, AnswerFormat format, SelfEvaluator evaluator) {
        this.parameters = parameters;
        this.format = format;
        this.evaluator = evaluator;
    }

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        AnswerKind kind = problem.kindOr(parameters.answerKind());
        List<ChatMessage> conversation = format.frame(problem.messages(), kind);
        return draw(run, conversation, kind, List.of());
    }

    private Mono<Solution> draw(Run run, List<ChatMessage> conversation, AnswerKind kind, List<Scored> drawn) {
        int i = drawn.size();
        if (i == parameters.maxSamples()) {
            return Mono.just(solution(drawn, kind, "max_samples", null));
        }
        // The first sample is always tried, so that an empty budget fails with its own error.
        if (i > 0 && run.budget().callsLeft() < CALLS_PER_SAMPLE) {
            return Mono.just(solution(drawn, kind, "budget", "max_model_calls"));
        }
        GenerationRequest request = GenerationRequest.of(conversation)
                .withTemperature(parameters.temperature(i))
                .withTopP(parameters.topP())
                .withMaxTokens(parameters.maxTokens());
        return run.generate(Roles.SOLVER, request)
                .flatMap(generation -> {
                    Choice choice = generation.choices().get(0);
                    return evaluator
                            .score(run, conversation, choice.text())
                            .map(score -> new Scored(i, choice.text(), score, choice.cutByLength()));
                })
                .flatMap(sample -> {
                    List<Scored> next = new ArrayList<>(drawn);
                    next.add(sample);
                    run.offer(new Candidate(answer(kind, sample.text()), sample.text(), sample.confidence()));
                    return sample.score() < parameters.threshold()
                            ? Mono.just(solution(next, kind, "threshold", null))
                            : draw(run, conversation, kind, next);
                });
    }

    private Solution solution(List<Scored> drawn, AnswerKind kind, String stop, @Nullable String budgetLimit) {
        Scored best = Scored.best(drawn);
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("samples", drawn.size());
        notes.put("scores", drawn.stream().map(Scored::score).toList());
        notes.put("chosen", best.index());
        notes.put("stop", stop);
        Solution solution =
                new Solution(answer(kind, best.text()), best.text(), best.confidence(), notes).textCut(best.cut());
        return budgetLimit == null ? solution : solution.stoppedBy(budgetLimit);
    }

    private @Nullable String answer(AnswerKind kind, String text) {
        return format.extract(kind, text).map(Answer::raw).orElse(null);
    }
}
