package dev.deliberate.strategy.direct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Generation;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.Runs;
import dev.deliberate.strategy.Formats;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class DirectStrategyTests {

    private static final DirectParameters TEXT = new DirectParameters(0.2, null, 100, AnswerKind.TEXT, true);

    @Test
    void passesTheConversationThroughUntouchedWithClientSampling() {
        var solver = ScriptedEndpoint.cycling("local", "Hello there.");
        var service = new Runs()
                .plan("direct", new DirectKind(Formats.shipped()).create(TEXT), Map.of("solver", solver))
                .service();
        var conversation = List.of(ChatMessage.system("Be kind."), ChatMessage.user("Hi"));
        var request = new RunRequest(
                "direct",
                new Problem(conversation, null, null),
                null,
                7L,
                50,
                new RunRequest.Sampling(0.9, 0.5, List.of("END")));

        RunResult result =
                Runs.finished(service.start(request).events().last().map(e -> e).block(Duration.ofSeconds(5)));

        assertThat(result.solution().text()).isEqualTo("Hello there.");
        assertThat(result.solution().answer()).isEqualTo("Hello there.");
        var sent = solver.requests().get(0);
        assertThat(sent.messages()).isEqualTo(conversation);
        assertThat(sent.temperature()).isEqualTo(0.9);
        assertThat(sent.topP()).isEqualTo(0.5);
        assertThat(sent.stop()).containsExactly("END");
        assertThat(sent.maxTokens()).isEqualTo(50);
        assertThat(sent.logprobs()).isTrue();
    }

    @Test
    void confidenceIsTheGeometricMeanTokenProbability() {
        var solver = new ScriptedEndpoint("local", Capabilities.full(Capabilities.Source.PROBED), (request, call) -> {
            var tokens = List.of(
                    new TokenLogprob("The", Math.log(0.5), List.of()),
                    new TokenLogprob(" answer is 4.", Math.log(0.125), List.of()));
            return Mono.just(new Generation(
                    List.of(new Choice(0, "The answer is 4.", "stop", tokens)),
                    new Usage(5, 2),
                    Duration.ZERO,
                    "local",
                    1));
        });
        var params = new DirectParameters(null, null, 100, AnswerKind.MATH, true);
        var service = new Runs()
                .plan("direct", new DirectKind(Formats.shipped()).create(params), Map.of("solver", solver))
                .service();

        RunResult result = Runs.finished(Runs.last(service, "direct", Problem.of("2+2?", null)));

        assertThat(result.solution().answer()).isEqualTo("4");
        assertThat(result.solution().confidence()).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(solver.requests().get(0).messages().get(0).role()).isEqualTo("system");
    }

    @Test
    void withoutLogprobsTheConfidenceIsUnknown() {
        var solver = new ScriptedEndpoint(
                "local",
                new Capabilities(false, false, 0, Capabilities.Source.PROBED),
                (request, call) ->
                        Mono.just(ScriptedEndpoint.generation("local", List.of(ScriptedEndpoint.choice(0, "Hi")))));
        var service = new Runs()
                .plan("direct", new DirectKind(Formats.shipped()).create(TEXT), Map.of("solver", solver))
                .service();

        RunResult result = Runs.finished(Runs.last(service, "direct", Problem.of("Hello", null)));

        assertThat(result.solution().confidence()).isNull();
        assertThat(solver.requests().get(0).logprobs()).isFalse();
    }
}
