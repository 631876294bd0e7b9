package dev.deliberate.model.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The key-value cache against the full recompute: the same logits at every position, and the endpoint's same texts,
 * tokens and logprobs, with the per-step arrays freed.
 */
class KvCacheTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final double LOGIT_TOLERANCE = 1e-4;
    /**
     * The cached path multiplies matrices of other shapes, so float32 rounding differs in the last bits (about 1e-8
     * measured); the sampled tokens and texts must still be identical.
     */
    private static final double LOGPROB_TOLERANCE = 1e-6;

    private static DjlEndpoint cached;
    private static DjlEndpoint recomputing;

    @BeforeAll
    static void load() {
        cached = DjlEndpoint.load("cached", EndpointSettings.djl(TinyModel.directory()));
        recomputing = DjlEndpoint.load("recomputing", EndpointSettings.djl(TinyModel.directory()));
        recomputing.kvCache(false);
    }

    @AfterAll
    static void close() {
        cached.close();
        recomputing.close();
    }

    @Test
    void cachedLogitsEqualTheFullForwardAtEveryStepUpToTheContext() {
        for (boolean tied : new boolean[] {true, false}) {
            for (int batch : new int[] {1, 3}) {
                for (int promptLength : new int[] {1, 7}) {
                    int steps = compareUpToTheContext(tied, batch, promptLength);

                    assertThat(steps).isEqualTo(TinyModel.CONTEXT - promptLength + 1);
                }
            }
        }
    }

    /** Prefills a random prompt per row, then feeds random tokens one at a time; returns the positions compared. */
    private static int compareUpToTheContext(boolean tied, int batch, int promptLength) {
        ModelConfig base = ModelConfig.transformer(TinyModel.WORDS.size(), TinyModel.CONTEXT, 16, 2, 2);
        ModelConfig config = new ModelConfig(
                base.format(),
                base.vocabSize(),
                base.contextLength(),
                base.embeddingSize(),
                base.layers(),
                base.heads(),
                base.mlpSize(),
                tied,
                base.layerNormEpsilon(),
                null,
                null,
                null);
        Engine.getEngine(LanguageModel.ENGINE).setRandomSeed(batch * 10 + promptLength);
        SplittableRandom random = new SplittableRandom(promptLength);
        try (Model model = Model.newInstance("cache", Device.cpu(), LanguageModel.ENGINE);
                NDManager manager = model.getNDManager().newSubManager()) {
            CausalTransformer block = CausalTransformer.of(config);
            block.initialize(model.getNDManager());
            ParameterStore store = new ParameterStore(manager, false);
            long[][] rows = new long[batch][promptLength];
            for (long[] row : rows) {
                for (int i = 0; i < promptLength; i++) {
                    row[i] = random.nextInt(config.vocabSize());
                }
            }
            CausalTransformer.Step step = block.forwardCached(store, ids(manager, rows), null);
            int compared = 0;
            while (true) {
                NDArray full = block.forward(store, new NDList(ids(manager, rows)), false)
                        .singletonOrThrow()
                        .get(new NDIndex(":, -1, :"));
                assertClose(step.logits().toFloatArray(), full.toFloatArray());
                assertThat(step.cache().length()).isEqualTo(rows[0].length);
                compared++;
                if (rows[0].length == config.contextLength()) {
                    return compared;
                }
                long[][] next = new long[batch][1];
                for (int r = 0; r < batch; r++) {
                    next[r][0] = random.nextInt(config.vocabSize());
                    rows[r] = append(rows[r], next[r][0]);
                }
                step = block.forwardCached(store, ids(manager, next), step.cache());
            }
        }
    }

    private static NDArray ids(NDManager manager, long[][] rows) {
        long[] flat = new long[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * rows[0].length, rows[0].length);
        }
        return manager.create(flat, new Shape(rows.length, rows[0].length));
    }

    private static long[] append(long[] row, long id) {
        long[] longer = Arrays.copyOf(row, row.length + 1);
        longer[row.length] = id;
        return longer;
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).isCloseTo(expected[i], within(LOGIT_TOLERANCE));
        }
    }

    @Test
    void theEndpointSamplesTheSameTextsTokensAndLogprobsWithAndWithoutTheCache() {
        // n = 4 with stop sequences: choices finish at different steps and leave the cached batch
        GenerationRequest request = GenerationRequest.of(List.of(ChatMessage.user("one plus two times three")))
                .withTemperature(1.2)
                .withSeed(17L)
                .withN(4)
                .withMaxTokens(40)
                .withStop(List.of(" five", " nine"))
                .withLogprobs(20);

        Generation withCache = cached.generate(request).block(WAIT);
        Generation without = recomputing.generate(request).block(WAIT);

        assertSame(withCache, without);
        assertThat(without.choices()).extracting(Choice::finishReason).containsOnly("stop");
        assertThat(without.choices().stream().map(c -> c.tokens().size()).distinct())
                .hasSizeGreaterThan(1);
    }

    @Test
    void theStreamIsTheSameWithAndWithoutTheCache() {
        GenerationRequest request = GenerationRequest.of(List.of(ChatMessage.user("seven")))
                .withTemperature(1.0)
                .withSeed(4L)
                .withN(3)
                .withMaxTokens(30)
                .withLogprobs(2);

        List<GenerationChunk> withCache = cached.stream(request).collectList().block(WAIT);
        List<GenerationChunk> without =
                recomputing.stream(request).collectList().block(WAIT);

        assertThat(withCache).hasSameSizeAs(without);
        for (int i = 0; i < without.size(); i++) {
            GenerationChunk a = withCache.get(i);
            GenerationChunk b = without.get(i);
            assertThat(a.index()).isEqualTo(b.index());
            assertThat(a.delta()).isEqualTo(b.delta());
            assertThat(a.finishReason()).isEqualTo(b.finishReason());
            assertThat(a.usage()).isEqualTo(b.usage());
            assertSameTokens(a.tokens(), b.tokens());
        }
        assertThat(without.get(without.size() - 1).usage().completionTokens()).isEqualTo(3 * 30);
    }

    @Test
    void greedyDecodingIsTheSameWithAndWithoutTheCache() {
        GenerationRequest request = GenerationRequest.of(List.of(ChatMessage.user("two minus one")))
                .withTemperature(0.0)
                .withN(2)
                .withLogprobs(5);

        assertSame(
                cached.generate(request).block(WAIT),
                recomputing.generate(request).block(WAIT));
    }

    private static void assertSame(Generation actual, Generation expected) {
        assertThat(actual.usage()).isEqualTo(expected.usage());
        assertThat(actual.choices()).hasSameSizeAs(expected.choices());
        for (int i = 0; i < expected.choices().size(); i++) {
            Choice a = actual.choices().get(i);
            Choice b = expected.choices().get(i);
            assertThat(a.text()).isEqualTo(b.text());
            assertThat(a.finishReason()).isEqualTo(b.finishReason());
            assertSameTokens(a.tokens(), b.tokens());
        }
    }

    private static void assertSameTokens(List<TokenLogprob> actual, List<TokenLogprob> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int t = 0; t < expected.size(); t++) {
            TokenLogprob a = actual.get(t);
            TokenLogprob b = expected.get(t);
            assertThat(a.token()).isEqualTo(b.token());
            assertThat(a.logprob()).isCloseTo(b.logprob(), within(LOGPROB_TOLERANCE));
            assertThat(a.top())
                    .extracting(TokenLogprob.Alternative::token)
                    .containsExactlyElementsOf(b.top().stream()
                            .map(TokenLogprob.Alternative::token)
                            .toList());
            for (int k = 0; k < b.top().size(); k++) {
                assertThat(a.top().get(k).logprob()).isCloseTo(b.top().get(k).logprob(), within(LOGPROB_TOLERANCE));
            }
        }
    }

    @Test
    void eachStepFreesItsArraysAndTheDecodeFreesItsCache() throws Exception {
        try (LanguageModel model = LanguageModel.load(TinyModel.directory())) {
            NDManager root;
            try (NDManager probe = model.newManager()) {
                root = probe.getParentManager();
            }
            int before = root.getManagedArrays().size();
            List<Integer> held = new ArrayList<>();

            try (NDManager request = model.newManager();
                    LanguageModel.Decoding decoding = model.decoding(request)) {
                long[] prompt = {2, 5, 14, 6, 3};
                long[][] rows = {prompt, prompt, prompt};
                int[] choices = {0, 1, 2};
                for (int step = 0; step < 10; step++) {
                    float[][] logits = decoding.next(choices, rows);
                    assertThat(logits).hasNumberOfRows(choices.length);
                    held.add(request.getManagedArrays().size());
                    if (step == 4) { // choice 1 finishes
                        choices = new int[] {0, 2};
                        rows = new long[][] {rows[0], rows[2]};
                    }
                    for (int r = 0; r < rows.length; r++) {
                        rows[r] = append(rows[r], 5 + (step + r) % 10);
                    }
                }
            }

            // keys and values of 2 blocks, nothing else, at every step
            assertThat(held).hasSize(10).containsOnly(4);
            assertThat(root.getManagedArrays()).hasSize(before);
        }
    }
}
