package dev.deliberate.testkit.synthetic;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A simulated instruction follower that plays SPaR's three roles, for measuring search against best-of-N without
 * weights. Every response secretly passes or fails its instruction; the knobs are how often the actor passes, how
 * often the judge is right, and how often the refiner fixes a failing response. The roles are told apart by the
 * shipped prompts' first lines ({@code ## Judge:}, {@code ## Refine:}); everything else is the actor.
 *
 * <ul>
 *   <li><b>Actor.</b> Problem {@code i} has a pass chance {@code p_i} (logit-normal around {@code actorPassRate}). At
 *       temperature 0 the answer is fixed per problem and passes exactly when {@code p_i >= 0.5}; above 0 each sample
 *       passes with chance {@code p_i}.
 *   <li><b>Judge.</b> Its view of a response is right with chance {@code judgeAccuracy}, drawn once per response (a
 *       judge is consistently wrong about some responses, so more votes do not fix everything); each sample then
 *       states that view, flipped with chance {@code judgeNoise}, as {@code Final Judgement: Yes|No}.
 *   <li><b>Refiner.</b> A refinement of a failing response passes with chance {@code fixRate}; of a passing one,
 *       with chance {@code 1 - breakRate}. With chance {@code missingMarkers} the reply lacks the markers.
 * </ul>
 *
 * All draws are seeded by the request's seed and the choice index, so a run repeats whatever the thread timing.
 */
public final class SyntheticInstructions implements Endpoint {

    /**
     * @param problems instructions in the pool
     * @param actorPassRate mean chance that a sampled actor response passes (logit-normal, sd 1.5)
     * @param judgeAccuracy chance that the judge's view of a response is right
     * @param judgeNoise chance that one judge sample flips the judge's view
     * @param fixRate chance that a refinement of a failing response passes
     * @param breakRate chance that a refinement of a passing response fails
     * @param missingMarkers chance that a refiner reply lacks the markers
     */
    public record Settings(
            int problems,
            double actorPassRate,
            double judgeAccuracy,
            double judgeNoise,
            double fixRate,
            double breakRate,
            double missingMarkers,
            long seed) {

        public static Settings defaults() {
            return new Settings(400, 0.4, 0.85, 0.15, 0.35, 0.05, 0.05, 7);
        }

        public Settings withJudgeAccuracy(double accuracy) {
            return new Settings(
                    problems, actorPassRate, accuracy, judgeNoise, fixRate, breakRate, missingMarkers, seed);
        }

        public Settings withFixRate(double rate) {
            return new Settings(
                    problems, actorPassRate, judgeAccuracy, judgeNoise, rate, breakRate, missingMarkers, seed);
        }
    }

    private static final Pattern INSTRUCTION = Pattern.compile("Instruction (\\d+):");
    private static final Pattern RESPONSE = Pattern.compile("Response ([a-z]{12}):");
    private static final String START = "<<<REFINED RESPONSE>>>";
    private static final String END = "<<<END REFINED RESPONSE>>>";

    /** What the model knows about a response it wrote. */
    private record Written(int problem, boolean passes) {}

    private final String name;
    private final Settings settings;
    private final double[] passChance;
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    private final AtomicLong responses = new AtomicLong();

    public SyntheticInstructions(String name, Settings settings) {
        this.name = name;
        this.settings = settings;
        Random random = new Random(settings.seed());
        double center = Math.log(settings.actorPassRate() / (1 - settings.actorPassRate()));
        passChance = new double[settings.problems()];
        for (int i = 0; i < passChance.length; i++) {
            passChance[i] = 1 / (1 + Math.exp(-(center + 1.5 * random.nextGaussian())));
        }
    }

    /** The instruction of problem {@code id}, as a client would send it. */
    public static String instruction(int id) {
        return "Instruction " + id + ": write the note for task " + id + ", meeting every constraint it sets.";
    }

    public int problems() {
        return passChance.length;
    }

    /** Whether {@code text} (a response this model wrote) really follows its instruction. */
    public boolean passes(String text) {
        Matcher matcher = RESPONSE.matcher(text);
        Written response = matcher.find() ? written.get(matcher.group(1)) : null;
        return response != null && response.passes();
    }

    /** Responses written so far: actor samples and refiner replies, with or without markers. */
    public long responsesWritten() {
        return responses.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "synthetic-instructions";
    }

    @Override
    public String model() {
        return "synthetic-instructions-" + name;
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.full(Capabilities.Source.CONFIGURED);
    }

    @Override
    public Mono<Generation> generate(GenerationRequest request) {
        return Mono.fromCallable(() -> {
            List<Choice> choices = new ArrayList<>();
            long completion = 0;
            for (int i = 0; i < request.n(); i++) {
                String text = reply(request, i);
                choices.add(new Choice(i, text, "stop", List.of()));
                completion += text.split("\\s+").length;
            }
            return new Generation(choices, new Usage(100, completion), Duration.ZERO, name, 1);
        });
    }

    @Override
    public Flux<GenerationChunk> stream(GenerationRequest request) {
        return Flux.error(new UnsupportedOperationException("SPaR never streams"));
    }

    private String reply(GenerationRequest request, int choice) {
        Random random = random(settings.seed(), request.seed() == null ? 0 : request.seed(), choice);
        List<ChatMessage> messages = request.messages();
        String first = messages.get(0).content();
        String last = messages.get(messages.size() - 1).content();
        if (last.startsWith("## Refine")) {
            return refine(first, random);
        }
        if (first.startsWith("## Judge")) {
            return judge(first, random);
        }
        return act(last, request.temperature() == null ? 1.0 : request.temperature(), random);
    }

    private String act(String prompt, double temperature, Random random) {
        Matcher matcher = INSTRUCTION.matcher(prompt);
        if (!matcher.find()) {
            throw new IllegalArgumentException("not an instruction of this model: " + prompt);
        }
        int problem = Integer.parseInt(matcher.group(1));
        double chance = passChance[problem];
        boolean passes = temperature == 0 ? chance >= 0.5 : random.nextDouble() < chance;
        // The greedy answer is one fixed text per problem; samples are new texts.
        Random keys = temperature == 0 ? random(settings.seed(), problem, -1) : random;
        return write(problem, passes, keys, "a draft");
    }

    private String judge(String prompt, Random random) {
        String key = shownKey(prompt, "judge");
        Written response = written.get(key);
        // The view is drawn once per response, from the response's key: every sample about it shares it.
        boolean right = random(settings.seed(), key.hashCode(), -2).nextDouble() < settings.judgeAccuracy();
        boolean view = right == response.passes();
        boolean says = random.nextDouble() < settings.judgeNoise() ? !view : view;
        return "Constraints checked one by one; " + (says ? "all are met." : "one is missed.") + "\nFinal Judgement: "
                + (says ? "Yes" : "No");
    }

    private String refine(String judgePrompt, Random random) {
        Written parent = written.get(shownKey(judgePrompt, "refiner"));
        boolean passes = parent.passes()
                ? random.nextDouble() >= settings.breakRate()
                : random.nextDouble() < settings.fixRate();
        String text = write(parent.problem(), passes, random, "a rewrite");
        if (random.nextDouble() < settings.missingMarkers()) {
            return "Reflection: the rewrite follows.\n" + text;
        }
        return "Reflection: the rewrite follows.\n" + START + "\n" + text + "\n" + END;
    }

    /** The key of the response a judge prompt shows (the last one in it), which this model must have written. */
    private String shownKey(String judgePrompt, String role) {
        Matcher matcher = RESPONSE.matcher(judgePrompt);
        String key = null;
        while (matcher.find()) {
            key = matcher.group(1);
        }
        if (key == null || !written.containsKey(key)) {
            throw new IllegalArgumentException("the " + role + " was shown no response of this model");
        }
        return key;
    }

    /**
     * A generator for one draw site. java.util.Random's first outputs for nearby seeds are nearly equal, which made
     * the samples of one request agree; the seed goes through a 64-bit finaliser (SplitMix64) first.
     */
    private static Random random(long a, long b, long c) {
        long z = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }

    private String write(int problem, boolean passes, Random random, String what) {
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            key.append((char) ('a' + random.nextInt(26)));
        }
        written.putIfAbsent(key.toString(), new Written(problem, passes));
        responses.incrementAndGet();
        return "Response " + key + ": " + what + " for task " + problem + ".";
    }
}
