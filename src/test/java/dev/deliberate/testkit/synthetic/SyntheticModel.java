package dev.deliberate.testkit.synthetic;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import dev.deliberate.testkit.FakeOpenAiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A deterministic simulated LLM over {@link SyntheticSettings#problems()} numbered math problems, calibrated by its
 * {@link SyntheticSettings knobs}: each sample's answer is drawn from the problem's answer distribution (sharpened or
 * flattened by temperature), its token logprobs separate correct from wrong paths by a known amount, and a
 * self-evaluation query returns a P(Yes) correlated with the judged path's correctness by a known AUC.
 *
 * <p>A request names its problem by the question text ({@code "Problem <id>:"}) in a user message. A path reads
 * {@code "Route <key>. <reasoning words>\nThe answer is N."}; the key identifies the path, so that the model finds it
 * again when asked to judge the text or a prefix of it, and continues it when it comes back as a {@code prefix}. A
 * request is a self-evaluation when it asks for {@code max_tokens = 1} with {@code top_logprobs > 0} and its last
 * message is a user turn after an assistant turn (the text judged) or quoting a generated path.
 *
 * <p>Draws depend only on the settings' seed, the model's name, the problem, the request seed (or, without one, the
 * count of unseeded requests) and the choice index, never on timing. Calls are synchronous and cheap (no blocking);
 * streams emit token by token, and tokens are counted as they are emitted, so that a cancelled stream counts only
 * what it produced. Build one with {@link #of(String, SyntheticSettings)}; {@link #stronger(String, double)} gives the
 * same problems at higher accuracy, to stand for a server model.
 */
public final class SyntheticModel implements Endpoint {

    public static final String KIND = "synthetic";

    /** The shortest path: the route key (2 tokens), two reasoning words and the answer line (4 tokens). */
    static final int MIN_TOKENS = 8;

    private static final int KEY_LETTERS = 12;
    private static final int MAX_TOP_LOGPROBS = 20;
    private static final Pattern PROBLEM = Pattern.compile("\\bProblem (\\d+):");
    private static final Pattern ROUTE = Pattern.compile("Route ([a-z]{" + KEY_LETTERS + "})\\.");
    private static final long PROBLEMS = 0x70726f626cL;
    private static final long GREEDY = 0x6772656564L;
    private static final long UNSEEDED = 0x756e736565L;
    private static final long CALIBRATION = 0x63616c6962L;

    // The self-evaluation token's distribution: " Yes"/" No" variants keep the same Yes:No ratio, so that a scorer
    // gets P(Yes) exactly whether it folds variants or not; "Maybe" leaves mass outside {Yes, No} to renormalise away.
    private static final double MAIN_SHARE = 0.95;
    private static final double VARIANT_SHARE = 0.03;
    private static final double OTHER_SHARE = 0.02;

    // No digits and no answer phrases, so that only the last line states an answer.
    private static final String[] WORDS = {
        "we",
        "note",
        "that",
        "the",
        "sum",
        "of",
        "both",
        "sides",
        "gives",
        "so",
        "then",
        "substitute",
        "into",
        "this",
        "equation",
        "and",
        "simplify",
        "carry",
        "term",
        "remaining",
        "factor",
        "check",
        "each",
        "case",
        "hence",
        "value",
        "follows",
        "from",
        "step",
        "previous",
        "result",
        "multiply",
        "divide",
        "subtract",
        "add",
        "count",
        "pairs",
        "again",
        "clearly",
        "thus",
        "total",
        "product",
        "ratio",
        "by",
        "symmetry",
        "expand",
        "collect",
        "terms"
    };

    private final String name;
    private final SyntheticSettings settings;
    private final List<SyntheticProblem> problems;
    private final long salt;
    private final double evalSeparation;
    private final Map<String, Remembered> paths = new ConcurrentHashMap<>();
    private final AtomicLong unseeded = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong selfEvaluations = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong completionTokens = new AtomicLong();
    private final AtomicLong cancelledStreams = new AtomicLong();

    private SyntheticModel(String name, SyntheticSettings settings) {
        this.name = name;
        this.settings = settings;
        this.problems = problems(settings);
        this.salt = Draws.mix(settings.seed(), name.hashCode());
        this.evalSeparation = settings.evalSeparation();
    }

    public static SyntheticModel of(String name, SyntheticSettings settings) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return new SyntheticModel(name, settings);
    }

    /** A model named {@code synthetic}. */
    public static SyntheticModel of(SyntheticSettings settings) {
        return of(KIND, settings);
    }

    /**
     * The same problems, answers and distractors with every accuracy shifted up by {@code logitShift} in logit space
     * (wrong answers keep their relative shares), sampling its own paths: the stronger remote model of a cascade.
     */
    public SyntheticModel stronger(String newName, double logitShift) {
        return of(
                newName,
                settings.toBuilder()
                        .accuracyShift(settings.accuracyShift() + logitShift)
                        .build());
    }

    // --- ground truth ---

    public SyntheticSettings settings() {
        return settings;
    }

    public List<SyntheticProblem> problems() {
        return problems;
    }

    public SyntheticProblem problem(int id) {
        return problems.get(id);
    }

    /** The chance that one sample at {@code temperature} is correct (at 0: whether greedy decoding is). */
    public double accuracyAt(SyntheticProblem problem, double temperature) {
        if (temperature == 0) {
            return greedyCategory(problem) == 0 ? 1 : 0;
        }
        return problem.shares(settings.answerTemperature(temperature))[0];
    }

    /** Whether {@code answer} (as an answer extractor reads it) is the problem's answer. */
    public boolean grade(SyntheticProblem problem, @Nullable String answer) {
        return problem.accepts(answer);
    }

    /** The path that {@code text} (a generated text, or a prefix of one that still holds its route key) comes from. */
    public Optional<SyntheticPath> path(String text) {
        Matcher key = ROUTE.matcher(text);
        if (!key.find()) {
            return Optional.empty();
        }
        Remembered remembered = paths.get(key.group(1));
        String judged = text.strip();
        return remembered != null && remembered.path().text().startsWith(judged)
                ? Optional.of(remembered.path())
                : Optional.empty();
    }

    /** A generated path and the seed that plans it again, for continuations. */
    private record Remembered(SyntheticPath path, long seed) {}

    /** Forgets the generated paths (their texts then judge as unknown); counters are kept. */
    public void forgetPaths() {
        paths.clear();
    }

    // --- counters ---

    /** Requests served, self-evaluations included. */
    public long calls() {
        return calls.get();
    }

    public long selfEvaluations() {
        return selfEvaluations.get();
    }

    public long promptTokens() {
        return promptTokens.get();
    }

    /** Completion tokens produced: all of a {@code generate} reply, only those emitted of a stream. */
    public long completionTokens() {
        return completionTokens.get();
    }

    public long cancelledStreams() {
        return cancelledStreams.get();
    }

    // --- Endpoint ---

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public String model() {
        return KIND + "-" + name;
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.full(Capabilities.Source.CONFIGURED);
    }

    @Override
    public Mono<Generation> generate(GenerationRequest request) {
        return Mono.fromCallable(() -> {
            Generation generation = respond(request);
            completionTokens.addAndGet(generation.usage().completionTokens());
            return request.logprobs() ? generation : withoutLogprobs(generation);
        });
    }

    /** Choices interleaved token by token, each finish chunk after its choice's last token, then the usage chunk. */
    @Override
    public Flux<GenerationChunk> stream(GenerationRequest request) {
        Flux<GenerationChunk> chunks = Flux.defer(() -> Flux.fromIterable(chunks(respond(request))))
                .map(chunk -> request.logprobs() || chunk.tokens().isEmpty()
                        ? chunk
                        : new GenerationChunk(chunk.index(), chunk.delta(), List.of(), null, null));
        if (!settings.tokenDelay().isZero()) {
            chunks = chunks.delayElements(settings.tokenDelay(), Schedulers.parallel());
        }
        return chunks.doOnNext(chunk -> {
                    if (chunk.index() >= 0 && chunk.finishReason() == null) {
                        completionTokens.incrementAndGet();
                    }
                })
                .doOnCancel(cancelledStreams::incrementAndGet);
    }

    /**
     * This model behind {@link FakeOpenAiServer}: {@code server.defaultReply(model.reply())}. The reply is computed
     * whole, so a cancelled HTTP stream still counts all of its tokens here.
     */
    public FakeOpenAiServer.Reply reply() {
        return FakeOpenAiServer.Reply.respond((body, choices, call) -> {
            Generation generation = respond(SyntheticWire.request(body, choices));
            completionTokens.addAndGet(generation.usage().completionTokens());
            return generation;
        });
    }

    private static Generation withoutLogprobs(Generation generation) {
        List<Choice> choices = generation.choices().stream()
                .map(choice -> new Choice(choice.index(), choice.text(), choice.finishReason(), List.of()))
                .toList();
        return new Generation(
                choices, generation.usage(), generation.latency(), generation.endpoint(), generation.backendCalls());
    }

    private static List<GenerationChunk> chunks(Generation generation) {
        List<GenerationChunk> chunks = new ArrayList<>();
        int longest = generation.choices().stream()
                .mapToInt(SyntheticModel::tokenCount)
                .max()
                .orElse(0);
        for (int position = 0; position <= longest; position++) {
            for (Choice choice : generation.choices()) {
                List<String> texts = tokenTexts(choice);
                if (position < texts.size()) {
                    List<TokenLogprob> token = choice.tokens().isEmpty()
                            ? List.of()
                            : List.of(choice.tokens().get(position));
                    chunks.add(new GenerationChunk(choice.index(), texts.get(position), token, null, null));
                } else if (position == texts.size()) {
                    chunks.add(new GenerationChunk(choice.index(), "", List.of(), choice.finishReason(), null));
                }
            }
        }
        chunks.add(new GenerationChunk(-1, "", List.of(), null, generation.usage()));
        return chunks;
    }

    private static int tokenCount(Choice choice) {
        return choice.tokens().size();
    }

    // A choice always carries its tokens internally (see respond); the texts are those of the tokens.
    private static List<String> tokenTexts(Choice choice) {
        return choice.tokens().stream().map(TokenLogprob::token).toList();
    }

    // --- generation ---

    /**
     * The whole reply; every choice carries its tokens with logprobs whatever the request asked, since streams and the
     * HTTP fake cut the text at them ({@code generate} and {@code stream} drop them when not asked for).
     */
    Generation respond(GenerationRequest request) {
        calls.incrementAndGet();
        long prompt = promptTokens(request);
        promptTokens.addAndGet(prompt);
        if (isSelfEvaluation(request)) {
            selfEvaluations.incrementAndGet();
            return selfEvaluation(request, prompt);
        }
        SyntheticProblem problem = problemOf(request);
        double temperature = request.temperature() == null ? 1.0 : request.temperature();
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a non-negative number, was " + temperature);
        }
        Continuation continuation = continuation(request.prefix());
        long base = request.seed() != null ? request.seed() : Draws.mix(UNSEEDED, unseeded.getAndIncrement());
        List<Choice> choices = new ArrayList<>();
        long completion = 0;
        for (int i = 0; i < request.n(); i++) {
            Planned planned;
            int from = 0;
            if (continuation != null) {
                planned = continuation.planned();
                from = continuation.from();
            } else {
                long seed = temperature == 0
                        ? Draws.mix(salt, problem.id(), GREEDY)
                        : Draws.mix(salt, problem.id(), base, i, Double.doubleToLongBits(temperature));
                planned = plan(problem, seed, temperature);
                paths.putIfAbsent(planned.path().key(), new Remembered(planned.path(), seed));
            }
            Choice choice = planned.choice(i, from, request);
            completion += choice.tokens().size();
            choices.add(choice);
        }
        return new Generation(choices, new Usage(prompt, completion), Duration.ZERO, name, 1);
    }

    private static long promptTokens(GenerationRequest request) {
        long chars = request.messages().stream()
                .mapToLong(message -> message.content().length())
                .sum();
        if (request.prefix() != null) {
            chars += request.prefix().length();
        }
        return (chars + 3) / 4;
    }

    private SyntheticProblem problemOf(GenerationRequest request) {
        List<ChatMessage> messages = request.messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage message = messages.get(i);
            if (!ChatMessage.USER.equals(message.role())) {
                continue;
            }
            Matcher matcher = PROBLEM.matcher(message.content());
            if (matcher.find()) {
                int id = Integer.parseInt(matcher.group(1));
                if (id < problems.size()) {
                    return problems.get(id);
                }
            }
        }
        throw new IllegalArgumentException(
                "no synthetic problem (\"Problem <id>:\" with id below " + problems.size() + ") in the user messages");
    }

    private Planned plan(SyntheticProblem problem, long seed, double temperature) {
        Draws draws = new Draws(seed);
        String key = draws.letters(KEY_LETTERS);
        int category = temperature == 0
                ? greedyCategory(problem)
                : draws.category(problem.shares(settings.answerTemperature(temperature)));
        int m = problem.distractors().size();
        String answer;
        if (category == 0) {
            answer = problem.answer();
        } else if (category <= m) {
            answer = problem.distractors().get(category - 1);
        } else {
            // One-off answers live above the answers and distractors (below 1000), so they never equal either.
            answer = String.valueOf(1000 + draws.below(99_000));
        }
        boolean correct = category == 0;
        int length = (int)
                Math.max(MIN_TOKENS, Math.round(settings.meanLength() + settings.lengthSpread() * draws.normal()));
        double classMean = settings.meanLogprob()
                + problem.logprobOffset()
                + (correct ? 0.5 : -0.5) * settings.logprobSeparation();
        double mean = Math.min(classMean + settings.pathNoise() * draws.normal(), -0.02);
        double evalNoise = draws.normal();

        List<String> texts = new ArrayList<>(length);
        texts.add("Route");
        texts.add(" " + key + ".");
        for (int k = 0; k < length - 6; k++) {
            texts.add(" " + WORDS[draws.below(WORDS.length)]);
        }
        texts.add("\nThe");
        texts.add(" answer");
        texts.add(" is");
        texts.add(" " + answer + ".");
        // Exponential per-token surprisal: mostly near zero with a few unlikely tokens, mean exactly `mean`.
        double[] logprobs = new double[length];
        double sum = 0;
        for (int k = 0; k < length; k++) {
            logprobs[k] = mean * draws.exponential();
            sum += logprobs[k];
        }
        String text = String.join("", texts);
        SyntheticPath path = new SyntheticPath(
                key, problem.id(), answer, correct, text, length, sum / length, evalNoise, temperature);
        return new Planned(path, texts, logprobs);
    }

    /** The modal answer, or with a greedy temperature one fixed draw per problem at it. */
    private int greedyCategory(SyntheticProblem problem) {
        if (settings.greedyTemperature() == 0) {
            return problem.modalCategory();
        }
        return new Draws(Draws.mix(salt, problem.id(), GREEDY, 1))
                .category(problem.shares(settings.greedyTemperature()));
    }

    /** Where a {@code prefix} of a known path ends, to continue that path after it; null when it is no such prefix. */
    private @Nullable Continuation continuation(@Nullable String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return null;
        }
        Matcher key = ROUTE.matcher(prefix);
        Remembered remembered = key.find() ? paths.get(key.group(1)) : null;
        if (remembered == null || !remembered.path().text().startsWith(prefix)) {
            return null;
        }
        SyntheticPath path = remembered.path();
        Planned planned = plan(problem(path.problemId()), remembered.seed(), path.temperature());
        int offset = 0;
        for (int k = 0; k <= planned.texts().size(); k++) {
            if (offset == prefix.length()) {
                return new Continuation(planned, k);
            }
            if (k < planned.texts().size()) {
                offset += planned.texts().get(k).length();
            }
        }
        return null; // the prefix ends inside a token
    }

    private record Continuation(Planned planned, int from) {}

    /** A path's tokens and their logprobs, cut per request. */
    private record Planned(SyntheticPath path, List<String> texts, double[] logprobs) {

        /**
         * Tokens {@code from} onwards, up to {@code max_tokens} ({@code length}) or the first stop sequence
         * ({@code stop}, the sequence itself left out), else to the end ({@code stop}).
         */
        Choice choice(int index, int from, GenerationRequest request) {
            StringBuilder rest = new StringBuilder();
            for (int k = from; k < texts.size(); k++) {
                rest.append(texts.get(k));
            }
            int stopAt = -1;
            for (String stop : request.stop()) {
                int at = stop.isEmpty() ? -1 : rest.indexOf(stop);
                if (at >= 0 && (stopAt < 0 || at < stopAt)) {
                    stopAt = at;
                }
            }
            Integer maxTokens = request.maxTokens();
            int top = Math.min(request.topLogprobs(), MAX_TOP_LOGPROBS);
            List<TokenLogprob> tokens = new ArrayList<>();
            String finish = "stop";
            int position = 0;
            for (int k = from; k < texts.size(); k++) {
                if (maxTokens != null && tokens.size() >= maxTokens) {
                    finish = "length";
                    break;
                }
                String text = texts.get(k);
                if (stopAt >= 0 && position + text.length() > stopAt) {
                    String kept = text.substring(0, stopAt - position);
                    if (!kept.isEmpty()) {
                        tokens.add(token(kept, logprobs[k], top));
                    }
                    break;
                }
                tokens.add(token(text, logprobs[k], top));
                position += text.length();
            }
            StringBuilder text = new StringBuilder();
            tokens.forEach(token -> text.append(token.token()));
            return new Choice(index, text.toString(), finish, tokens);
        }

        /** The token first when it is likely, then alternatives halving the rest of the mass. */
        private static TokenLogprob token(String text, double logprob, int top) {
            if (top == 0) {
                return new TokenLogprob(text, logprob, List.of());
            }
            double rest = Math.max(1 - Math.exp(logprob), 1e-9);
            List<TokenLogprob.Alternative> alternatives = new ArrayList<>();
            alternatives.add(new TokenLogprob.Alternative(text, logprob));
            for (int j = 1; j < top; j++) {
                alternatives.add(new TokenLogprob.Alternative(" alt" + j, Math.log(rest * Math.pow(0.5, j))));
            }
            alternatives.sort(Comparator.comparingDouble(TokenLogprob.Alternative::logprob)
                    .reversed());
            return new TokenLogprob(text, logprob, alternatives.subList(0, top));
        }
    }

    // --- self-evaluation ---

    /**
     * {@code max_tokens = 1}, {@code top_logprobs > 0}, and a final user turn after an assistant turn (the text
     * judged) or quoting a path (from its route key on).
     */
    static boolean isSelfEvaluation(GenerationRequest request) {
        List<ChatMessage> messages = request.messages();
        ChatMessage last = messages.get(messages.size() - 1);
        return request.maxTokens() != null
                && request.maxTokens() == 1
                && request.topLogprobs() > 0
                && ChatMessage.USER.equals(last.role())
                && (judged(messages) != null || ROUTE.matcher(last.content()).find());
    }

    private static @Nullable String judged(List<ChatMessage> messages) {
        for (int i = messages.size() - 2; i >= 0; i--) {
            if (ChatMessage.ASSISTANT.equals(messages.get(i).role())) {
                return messages.get(i).content();
            }
        }
        return null;
    }

    /**
     * P(Yes) for the judged text: {@code sigmoid(bias ± strength · separation / 2 + noise)}, plus for wrong paths,
     * where the strength grows from {@code partialEvalStrength} at an empty prefix to 1 at the complete path (by
     * characters), and the noise is the path's own (so a prefix and its completion are judged alike). Text that is
     * not a generated path or a prefix of one: 0.5.
     */
    public double pYes(String judgedText) {
        Optional<SyntheticPath> found = path(judgedText);
        return found.isEmpty() ? 0.5 : pYes(found.get(), judgedText.strip().length());
    }

    /** P(Yes) for a path quoted inside other text: as much of it as the text holds from its route key on. */
    double pYesQuoted(String text) {
        Matcher key = ROUTE.matcher(text);
        Remembered remembered = key.find() ? paths.get(key.group(1)) : null;
        if (remembered == null) {
            return 0.5;
        }
        String pathText = remembered.path().text();
        int common = 0;
        while (common < pathText.length()
                && key.start() + common < text.length()
                && pathText.charAt(common) == text.charAt(key.start() + common)) {
            common++;
        }
        return pYes(remembered.path(), common);
    }

    private double pYes(SyntheticPath path, int judgedChars) {
        double progress = Math.min(1.0, (double) judgedChars / path.text().length());
        double strength = settings.partialEvalStrength() + (1 - settings.partialEvalStrength()) * progress;
        double logit =
                settings.evalBias() + (path.correct() ? -0.5 : 0.5) * evalSeparation * strength + path.evalNoise();
        return Math.min(Math.max(Draws.sigmoid(logit), 1e-6), 1 - 1e-6);
    }

    private Generation selfEvaluation(GenerationRequest request, long prompt) {
        List<ChatMessage> messages = request.messages();
        String judged = judged(messages);
        double yes = judged != null
                ? pYes(judged)
                : pYesQuoted(messages.get(messages.size() - 1).content());
        Map<String, Double> shares = new LinkedHashMap<>();
        shares.put("Yes", MAIN_SHARE * yes);
        shares.put("No", MAIN_SHARE * (1 - yes));
        shares.put(" Yes", VARIANT_SHARE * yes);
        shares.put(" No", VARIANT_SHARE * (1 - yes));
        shares.put("Maybe", OTHER_SHARE);
        List<TokenLogprob.Alternative> top = shares.entrySet().stream()
                .map(entry -> new TokenLogprob.Alternative(entry.getKey(), Math.log(entry.getValue())))
                .sorted(Comparator.comparingDouble(TokenLogprob.Alternative::logprob)
                        .reversed())
                .limit(Math.min(request.topLogprobs(), MAX_TOP_LOGPROBS))
                .toList();
        String said = yes >= 0.5 ? "Yes" : "No";
        TokenLogprob token = new TokenLogprob(said, Math.log(shares.get(said)), top);
        List<Choice> choices = new ArrayList<>();
        for (int i = 0; i < request.n(); i++) {
            choices.add(new Choice(i, said, "length", List.of(token)));
        }
        return new Generation(choices, new Usage(prompt, request.n()), Duration.ZERO, name, 1);
    }

    // --- problems ---

    private static List<SyntheticProblem> problems(SyntheticSettings settings) {
        List<SyntheticProblem> problems = new ArrayList<>(settings.problems());
        double[] weights = new double[settings.distractors()];
        double totalWeight = 0;
        for (int j = 0; j < weights.length; j++) {
            weights[j] = Math.pow(settings.distractorSkew(), j);
            totalWeight += weights[j];
        }
        for (int id = 0; id < settings.problems(); id++) {
            Draws draws = new Draws(Draws.mix(settings.seed(), PROBLEMS, id));
            double base = clamp(settings.accuracy().draw(draws));
            double accuracy = settings.accuracyShift() == 0
                    ? base
                    : clamp(Draws.sigmoid(Draws.logit(base) + settings.accuracyShift()));
            String answer = String.valueOf(2 + draws.below(998));
            List<String> distractors = new ArrayList<>();
            while (distractors.size() < settings.distractors()) {
                String wrong = String.valueOf(2 + draws.below(998));
                if (!wrong.equals(answer) && !distractors.contains(wrong)) {
                    distractors.add(wrong);
                }
            }
            double wrongMass = 1 - accuracy;
            List<Double> shares = new ArrayList<>();
            for (double weight : weights) {
                shares.add(wrongMass * (1 - settings.scatter()) * weight / totalWeight);
            }
            double offset = settings.problemNoise() * draws.normal();
            String question = String.format(
                    Locale.ROOT,
                    "Problem %d: find the hidden number of the %s %s puzzle.",
                    id,
                    WORDS[draws.below(WORDS.length)],
                    WORDS[draws.below(WORDS.length)]);
            problems.add(new SyntheticProblem(
                    id, question, answer, accuracy, distractors, shares, wrongMass * settings.scatter(), offset));
        }
        return List.copyOf(problems);
    }

    private static double clamp(double accuracy) {
        return Math.min(Math.max(accuracy, 1e-4), 1 - 1e-4);
    }

    // --- calibration ---

    /**
     * What the settings imply before any strategy runs, estimated over this model's problems: mean single-sample
     * accuracy at T=1, greedy accuracy, majority-vote accuracy at each K (ties split evenly, by simulation) and
     * pass@K (any of K samples correct).
     */
    public Calibration describe(int... ks) {
        int[] sizes = ks.length == 0 ? new int[] {1, 4, 8, 16, 32} : ks.clone();
        int trials = 200;
        double single = 0;
        double greedy = 0;
        Map<Integer, Double> majority = new LinkedHashMap<>();
        Map<Integer, Double> passAtK = new LinkedHashMap<>();
        for (SyntheticProblem problem : problems) {
            single += problem.accuracy();
            greedy += accuracyAt(problem, 0);
        }
        for (int k : sizes) {
            double votes = 0;
            double pass = 0;
            for (SyntheticProblem problem : problems) {
                pass += 1 - Math.pow(1 - problem.accuracy(), k);
                double[] shares = problem.shares(1.0);
                Draws draws = new Draws(Draws.mix(settings.seed(), CALIBRATION, problem.id(), k));
                for (int trial = 0; trial < trials; trial++) {
                    votes += majorityCredit(draws, shares, k);
                }
            }
            majority.put(k, votes / trials / problems.size());
            passAtK.put(k, pass / problems.size());
        }
        return new Calibration(problems.size(), single / problems.size(), greedy / problems.size(), majority, passAtK);
    }

    /** 1 when the answer wins the vote alone, 1/t when it ties with t-1 others, else 0; one-off answers count once. */
    private static double majorityCredit(Draws draws, double[] shares, int k) {
        int[] counts = new int[shares.length];
        for (int i = 0; i < k; i++) {
            counts[draws.category(shares)]++;
        }
        int oneOff = shares.length - 1;
        int best = counts[oneOff] > 0 ? 1 : 0;
        for (int c = 0; c < oneOff; c++) {
            best = Math.max(best, counts[c]);
        }
        if (counts[0] != best) {
            return 0;
        }
        int tied = 0;
        for (int c = 0; c < oneOff; c++) {
            tied += counts[c] == best ? 1 : 0;
        }
        if (best == 1) {
            tied += counts[oneOff];
        }
        return 1.0 / tied;
    }

    /**
     * Expected accuracies implied by the settings.
     *
     * @param problems how many problems
     * @param meanAccuracy mean single-sample accuracy at T=1
     * @param greedyAccuracy share of problems where greedy decoding (T=0) is correct
     * @param majorityAccuracy K to majority-vote accuracy at T=1
     * @param passAtK K to the chance that any of K samples is correct (an oracle's accuracy)
     */
    public record Calibration(
            int problems,
            double meanAccuracy,
            double greedyAccuracy,
            Map<Integer, Double> majorityAccuracy,
            Map<Integer, Double> passAtK) {

        public Calibration {
            majorityAccuracy = Map.copyOf(majorityAccuracy);
            passAtK = Map.copyOf(passAtK);
        }

        /** A markdown table. */
        @Override
        public String toString() {
            StringBuilder table = new StringBuilder();
            table.append(String.format(
                    Locale.ROOT,
                    "%d problems, single sample %.3f, greedy %.3f%n%n| K | majority | pass@K |%n|---|---|---|%n",
                    problems,
                    meanAccuracy,
                    greedyAccuracy));
            majorityAccuracy.keySet().stream()
                    .sorted()
                    .forEach(k -> table.append(String.format(
                            Locale.ROOT, "| %d | %.3f | %.3f |%n", k, majorityAccuracy.get(k), passAtK.get(k))));
            return table.toString();
        }
    }
}
