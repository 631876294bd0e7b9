package dev.deliberate.strategy.vote;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Generation;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/** Sampled paths with token logprobs, for tests of perplexity consistency. */
final class LogprobPaths {

    private LogprobPaths() {}

    /** A finished path whose every word-token has logprob ln p, so that exp(mean logprob) is p. */
    static Choice path(int index, String text, double p) {
        List<TokenLogprob> tokens = new ArrayList<>();
        for (String word : text.split(" ")) {
            tokens.add(new TokenLogprob(word, Math.log(p), List.of()));
        }
        return new Choice(index, text, "stop", tokens);
    }

    /** A path the backend gave no logprobs for. */
    static Choice bare(int index, String text) {
        return new Choice(index, text, "stop", List.of());
    }

    static Generation generation(String endpoint, List<Choice> choices) {
        return new Generation(choices, new Usage(10, 5L * choices.size()), Duration.ofMillis(1), endpoint, 1);
    }

    /** An endpoint with n and logprobs that answers each request with the first {@code n} of {@code paths}. */
    static ScriptedEndpoint endpoint(String name, List<Choice> paths) {
        return new ScriptedEndpoint(
                name,
                Capabilities.full(Capabilities.Source.CONFIGURED),
                (request, call) -> Mono.just(generation(name, paths.subList(0, Math.min(request.n(), paths.size())))));
    }
}
