package dev.deliberate.strategy.direct;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.Solution;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import reactor.core.publisher.Mono;

/** One call to the solver with the client's conversation. */
final class DirectStrategy implements Strategy {

    private final DirectParameters parameters;
    private final AnswerFormat format;

    DirectStrategy(DirectParameters parameters, AnswerFormat format) {
        this.parameters = parameters;
        this.format = format;
    }

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        AnswerKind kind = problem.kindOr(parameters.answerKind());
        RunRequest.Sampling client = run.clientSampling();
        GenerationRequest request = GenerationRequest.of(
                        kind == AnswerKind.TEXT ? problem.messages() : format.frame(problem.messages(), kind))
                .withTemperature(client.temperature() != null ? client.temperature() : parameters.temperature())
                .withTopP(client.topP() != null ? client.topP() : parameters.topP())
                .withStop(client.stop())
                .withMaxTokens(parameters.maxTokens());
        boolean logprobs =
                parameters.logprobConfidence() && run.capabilities(Roles.SOLVER).logprobs();
        if (logprobs) {
            request = request.withLogprobs(0);
        }
        return run.generate(Roles.SOLVER, request).map(generation -> {
            Choice choice = generation.choices().get(0);
            String answer = kind == AnswerKind.TEXT
                    ? choice.text()
                    : format.extract(kind, choice.text()).map(Answer::raw).orElse(null);
            double mean = choice.meanLogprob();
            Double confidence = Double.isNaN(mean) ? null : Math.exp(mean);
            run.offer(new Candidate(answer, choice.text(), confidence == null ? 0.0 : confidence));
            return Solution.of(answer, choice.text(), confidence).textCut(choice.cutByLength());
        });
    }
}
