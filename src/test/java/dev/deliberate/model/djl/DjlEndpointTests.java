package dev.deliberate.model.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.deliberate.model.BackendException;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class DjlEndpointTests {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static DjlEndpoint endpoint;

    @BeforeAll
    static void load() {
        endpoint = DjlEndpoint.load("tiny", EndpointSettings.djl(TinyModel.directory()));
    }

    @AfterAll
    static void close() {
        endpoint.close();
    }

    private static GenerationRequest ask(String question) {
        return GenerationRequest.of(List.of(ChatMessage.user(question)));
    }

    private static Generation generate(GenerationRequest request) {
        return endpoint.generate(request).block(WAIT);
    }

    @Test
    void theBlockMapsTokenIdsToLogitsOverTheVocabulary() {
        ModelConfig config = ModelConfig.transformer(20, 64, 16, 2, 2);
        try (Model model = Model.newInstance("shape", Device.cpu(), LanguageModel.ENGINE)) {
            CausalTransformer block = CausalTransformer.of(config);
            block.initialize(model.getNDManager());
            NDArray ids = model.getNDManager().create(new long[] {5, 6, 7, 8, 9, 10}, new Shape(2, 3));

            NDList out = block.forward(new ParameterStore(model.getNDManager(), false), new NDList(ids), false);

            assertThat(out.singletonOrThrow().getShape()).isEqualTo(new Shape(2, 3, 20));
            assertThat(block.getOutputShapes(new Shape[] {new Shape(2, 3)})).containsExactly(new Shape(2, 3, 20));
        }
    }

    @Test
    void aMissingOrBrokenModelDirectoryNamesTheSetting() {
        assertThatThrownBy(() -> DjlEndpoint.load("mine", EndpointSettings.djl(null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deliberate.endpoints.mine.model-dir: required for kind djl");
        assertThatThrownBy(() -> DjlEndpoint.load("mine", EndpointSettings.djl(Path.of("/nonexistent/model"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "deliberate.endpoints.mine.model-dir: cannot load a model from /nonexistent/model");
    }

    @Test
    void servesItsCapabilitiesAndTheCpu() {
        assertThat(endpoint.kind()).isEqualTo("djl");
        assertThat(endpoint.capabilities().multipleChoices()).isTrue();
        assertThat(endpoint.capabilities().logprobs()).isTrue();
        assertThat(endpoint.capabilities().maxTopLogprobs()).isEqualTo(20);
        assertThat(endpoint.device()).isEqualTo("cpu()");
    }

    @Test
    void aSeedMakesSamplingRepeatableAndAnotherSeedChangesIt() {
        GenerationRequest request = ask("one plus two")
                .withTemperature(1.0)
                .withMaxTokens(12)
                .withSeed(7L)
                .withLogprobs(0);

        Generation first = generate(request);
        Generation again = generate(request);
        Generation other = generate(request.withSeed(8L));

        assertThat(again.text()).isEqualTo(first.text());
        assertThat(again.choices().get(0).tokens())
                .isEqualTo(first.choices().get(0).tokens());
        assertThat(other.text()).isNotEqualTo(first.text());
        assertThat(first.usage().promptTokens()).isEqualTo(5); // User: one plus two Assistant:
        assertThat(first.usage().completionTokens()).isEqualTo(12);
        assertThat(first.text().split(" ")).hasSize(12);
    }

    @Test
    void topLogprobsCoverTheVocabularySortedAndAgreeWithTheChosenToken() {
        GenerationRequest request =
                ask("two times three").withTemperature(0.0).withMaxTokens(3).withLogprobs(20);

        Choice choice = generate(request).choices().get(0);

        assertThat(choice.tokens()).hasSize(3);
        for (TokenLogprob token : choice.tokens()) {
            List<TokenLogprob.Alternative> top = token.top();
            assertThat(top).hasSize(20);
            double mass = top.stream().mapToDouble(a -> Math.exp(a.logprob())).sum();
            assertThat(mass).isCloseTo(1.0, within(1e-6));
            for (int i = 1; i < top.size(); i++) {
                assertThat(top.get(i).logprob())
                        .isLessThanOrEqualTo(top.get(i - 1).logprob());
            }
            // greedy: the chosen token is the most likely one, with the same logprob
            assertThat(top.get(0).token()).isEqualTo(token.token());
            assertThat(top.get(0).logprob()).isEqualTo(token.logprob());
        }
        assertThat(String.join(
                        " ", choice.tokens().stream().map(TokenLogprob::token).toList()))
                .isEqualTo(choice.text());
    }

    @Test
    void sampledTokensCarryTheirLogprobFromTheTopList() {
        GenerationRequest request =
                ask("four").withTemperature(1.5).withMaxTokens(6).withSeed(3L).withLogprobs(20);

        Choice choice = generate(request).choices().get(0);

        for (TokenLogprob token : choice.tokens()) {
            assertThat(token.top())
                    .filteredOn(a -> a.token().equals(token.token()))
                    .singleElement()
                    .satisfies(a -> assertThat(a.logprob()).isEqualTo(token.logprob()));
        }
    }

    @Test
    void maxTokensEndsTheChoiceWithLength() {
        Generation generation = generate(ask("five").withTemperature(0.0).withMaxTokens(4));

        assertThat(generation.choices().get(0).finishReason()).isEqualTo("length");
        assertThat(generation.usage().completionTokens()).isEqualTo(4);
        assertThat(generation.choices().get(0).tokens()).isEmpty();
    }

    @Test
    void aStopSequenceEndsTheTextBeforeIt() {
        GenerationRequest greedy = ask("six minus one").withTemperature(0.0).withMaxTokens(10);
        String full = generate(greedy).text();
        String stop = " " + full.split(" ")[2];

        Choice stopped = generate(greedy.withStop(List.of(stop))).choices().get(0);

        assertThat(stopped.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(stopped.finishReason()).isEqualTo("stop");
    }

    @Test
    void nChoicesAreSampledTogetherAndChoiceZeroMatchesASingleSample() {
        GenerationRequest request =
                ask("seven plus eight").withTemperature(1.0).withMaxTokens(8).withSeed(11L);
        long before = endpoint.forwardPasses();

        Generation three = generate(request.withN(3));
        long passes = endpoint.forwardPasses() - before;
        Generation one = generate(request);

        assertThat(three.choices()).extracting(Choice::index).containsExactly(0, 1, 2);
        assertThat(three.choices()).allSatisfy(c -> assertThat(c.finishReason()).isEqualTo("length"));
        assertThat(three.usage().completionTokens()).isEqualTo(24);
        assertThat(three.usage().promptTokens()).isEqualTo(5); // User: seven plus eight Assistant:
        assertThat(three.backendCalls()).isEqualTo(1);
        assertThat(passes).isEqualTo(8); // one batched pass per token, not one per choice
        assertThat(three.choices().get(0).text()).isEqualTo(one.text());
        assertThat(three.choices().stream().map(Choice::text).distinct()).hasSize(3);
    }

    @Test
    void streamedChunksAddUpToTheGeneratedText() {
        GenerationRequest request = ask("nine times nine")
                .withTemperature(1.0)
                .withMaxTokens(10)
                .withSeed(5L)
                .withN(2)
                .withStop(List.of(" the answer"));
        Generation generated = generate(request);

        List<GenerationChunk> chunks = endpoint.stream(request).collectList().block(WAIT);

        for (Choice choice : generated.choices()) {
            List<GenerationChunk> own =
                    chunks.stream().filter(c -> c.index() == choice.index()).toList();
            assertThat(String.join("", own.stream().map(GenerationChunk::delta).toList()))
                    .isEqualTo(choice.text());
            assertThat(own.get(own.size() - 1).finishReason()).isEqualTo(choice.finishReason());
            assertThat(own.stream().filter(c -> c.finishReason() != null)).hasSize(1);
        }
        GenerationChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.isUsageOnly()).isTrue();
        assertThat(last.usage()).isEqualTo(generated.usage());
    }

    @Test
    void streamedTokensCountExactlyWithLogprobs() {
        GenerationRequest request =
                ask("three").withTemperature(1.0).withMaxTokens(7).withSeed(2L).withLogprobs(1);

        List<GenerationChunk> chunks = endpoint.stream(request).collectList().block(WAIT);

        int tokens = chunks.stream().mapToInt(GenerationChunk::tokenCount).sum();
        assertThat(tokens).isEqualTo(7);
        assertThat(chunks.get(chunks.size() - 1).usage().completionTokens()).isEqualTo(7);
    }

    @Test
    void cancellingTheStreamStopsDecoding() throws InterruptedException {
        GenerationRequest request = ask("one").withTemperature(1.0).withSeed(1L);
        long before = endpoint.forwardPasses();

        StepVerifier.create(endpoint.stream(request).take(3))
                .expectNextCount(3)
                .expectComplete()
                .verify(WAIT);
        Thread.sleep(200);

        // without the cancel it would run to the context's end: 61 passes
        assertThat(endpoint.forwardPasses() - before).isEqualTo(3);
        assertThat(generate(ask("two").withMaxTokens(2)).usage().completionTokens())
                .isEqualTo(2);
    }

    @Test
    void aPromptThatFillsTheContextIsAContextOverflow() {
        String longQuestion = String.join(" ", Collections.nCopies(70, "one"));

        StepVerifier.create(endpoint.generate(ask(longQuestion)))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(BackendException.Rejected.class);
                    BackendException.Rejected rejected = (BackendException.Rejected) error;
                    assertThat(rejected.contextOverflow()).isTrue();
                    assertThat(rejected.status()).isEqualTo(400);
                    assertThat(rejected.getMessage()).contains("72 tokens", "context length is 64");
                })
                .verify(WAIT);
    }

    @Test
    void maxTokensIsCutToTheRoomLeftInTheContext() {
        String question = String.join(" ", Collections.nCopies(58, "two"));

        Generation generation = generate(ask(question).withTemperature(0.0).withMaxTokens(100));

        assertThat(generation.usage().promptTokens()).isEqualTo(60);
        assertThat(generation.usage().completionTokens()).isEqualTo(4);
        assertThat(generation.choices().get(0).finishReason()).isEqualTo("length");
    }
}
