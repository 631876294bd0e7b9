package dev.deliberate.strategy.selfeval;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.TokenLogprob.Alternative;
import dev.deliberate.model.Usage;
import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Scripted evaluator replies and solver streams for the self-evaluation tests. */
final class Evaluations {

    static final PromptLibrary PROMPTS = PromptLibrary.load(Path.of("prompts"));
    static final RestartQuestion SCORER = new RestartQuestion(PROMPTS);

    private Evaluations() {}

    /** The response the evaluator is asked about: the assistant turn before the question. */
    static String response(GenerationRequest request) {
        List<ChatMessage> messages = request.messages();
        return messages.get(messages.size() - 2).content();
    }

    /** One generated token whose top alternatives are {@code top}. */
    static Choice answering(List<Alternative> top) {
        Alternative first = top.get(0);
        return new Choice(0, first.token(), "length", List.of(new TokenLogprob(first.token(), first.logprob(), top)));
    }

    /** An evaluator endpoint whose P(Yes) for a response is {@code pYes(response)}, with only Yes and No listed. */
    static ScriptedEndpoint scoring(ToDoubleFunction<String> pYes) {
        return new ScriptedEndpoint("judge", Capabilities.full(Capabilities.Source.CONFIGURED), (request, call) -> {
            double p = pYes.applyAsDouble(response(request));
            List<Alternative> top = new ArrayList<>();
            if (p >= 0.5) {
                top.add(new Alternative("Yes", Math.log(p)));
                if (p < 1.0) {
                    top.add(new Alternative("No", Math.log(1 - p)));
                }
            } else {
                top.add(new Alternative("No", Math.log(1 - p)));
                if (p > 0.0) {
                    top.add(new Alternative("Yes", Math.log(p)));
                }
            }
            return Mono.just(ScriptedEndpoint.generation("judge", List.of(answering(top))));
        });
    }

    static GenerationChunk token(String text) {
        return new GenerationChunk(0, text, List.of(new TokenLogprob(text, -0.1, List.of())), null, null);
    }

    /**
     * The words of {@code text} as one token each: the first {@code head} at once, the rest after {@code pause}, then
     * the finish and usage chunks.
     */
    static Flux<GenerationChunk> stream(String text, int head, Duration pause) {
        List<String> words = List.of(text.split("(?<= )"));
        int cut = Math.min(head, words.size());
        return Flux.fromIterable(words.subList(0, cut))
                .map(Evaluations::token)
                .concatWith(Flux.fromIterable(words.subList(cut, words.size()))
                        .map(Evaluations::token)
                        .delaySubscription(pause))
                .concatWithValues(
                        new GenerationChunk(0, "", List.of(), "stop", null),
                        new GenerationChunk(-1, "", List.of(), null, new Usage(10, words.size())));
    }
}
