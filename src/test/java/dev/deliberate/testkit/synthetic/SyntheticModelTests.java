package dev.deliberate.testkit.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerExtractor;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.CapabilityOverrides;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.Usage;
import dev.deliberate.model.openai.OpenAiEndpoint;
import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.synthetic.SyntheticSettings.AccuracyDistribution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

class SyntheticModelTests {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String JUDGE_QUESTION = "Would starting over give a better answer? Answer Yes or No.";
    private static final AnswerExtractor EXTRACTOR = new AnswerExtractor();

    private static GenerationRequest ask(SyntheticProblem problem, int n, double temperature, long seed) {
        return new GenerationRequest(
                List.of(ChatMessage.user(problem.question() + "\nEnd with \"The answer is N.\"")),
                n,
                temperature,
                null,
                null,
                List.of(),
                seed,
                true,
                0,
                null);
    }

    private static GenerationRequest judge(SyntheticProblem problem, String response) {
        return new GenerationRequest(
                List.of(
                        ChatMessage.user(problem.question()),
                        ChatMessage.assistant(response),
                        ChatMessage.user(JUDGE_QUESTION)),
                1,
                0.0,
                null,
                1,
                List.of(),
                null,
                true,
                5,
                null);
    }

    private static Generation generate(SyntheticModel model, GenerationRequest request) {
        return Objects.requireNonNull(model.generate(request).block(WAIT));
    }

    private static String extracted(String text) {
        return EXTRACTOR.extract(AnswerKind.MATH, text).map(Answer::canonical).orElse("");
    }

    /** P(Yes) renormalised over {Yes, No}, variants such as " Yes" folded, as the self-evaluation scorer reads it. */
    private static double pYes(Generation generation) {
        double yes = 0;
        double no = 0;
        for (TokenLogprob.Alternative alternative :
                generation.choices().get(0).tokens().get(0).top()) {
            String token = alternative.token().strip();
            if (token.equalsIgnoreCase("yes")) {
                yes += Math.exp(alternative.logprob());
            } else if (token.equalsIgnoreCase("no")) {
                no += Math.exp(alternative.logprob());
            }
        }
        return yes / (yes + no);
    }

    /** The chance that a wrong path scores above a correct one (ties count half). */
    private static double auc(List<Double> wrong, List<Double> correct) {
        double wins = 0;
        for (double w : wrong) {
            for (double c : correct) {
                wins += w > c ? 1 : w == c ? 0.5 : 0;
            }
        }
        return wins / wrong.size() / correct.size();
    }

    private static List<Choice> samples(SyntheticModel model, int perProblem) {
        List<Choice> choices = new ArrayList<>();
        for (SyntheticProblem problem : model.problems()) {
            choices.addAll(
                    generate(model, ask(problem, perProblem, 1.0, problem.id())).choices());
        }
        return choices;
    }

    // --- determinism ---

    @Test
    void sameSeedGivesTheSameChoicesAndAnotherSeedOthers() {
        SyntheticSettings settings = SyntheticSettings.defaults();
        SyntheticProblem problem = SyntheticModel.of(settings).problem(3);

        Generation first = generate(SyntheticModel.of(settings), ask(problem, 4, 1.0, 7));
        Generation again = generate(SyntheticModel.of(settings), ask(problem, 4, 1.0, 7));
        Generation other = generate(SyntheticModel.of(settings), ask(problem, 4, 1.0, 8));

        assertThat(again.choices()).isEqualTo(first.choices());
        assertThat(other.choices().get(0).text())
                .isNotEqualTo(first.choices().get(0).text());
        assertThat(first.choices()).extracting(Choice::text).doesNotHaveDuplicates();
    }

    @Test
    void unseededRequestsRepeatInCallOrderAcrossInstances() {
        SyntheticModel one = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticModel two = SyntheticModel.of(SyntheticSettings.defaults());
        GenerationRequest unseeded = ask(one.problem(0), 1, 1.0, 0).withSeed(null);

        List<String> fromOne =
                List.of(generate(one, unseeded).text(), generate(one, unseeded).text());
        List<String> fromTwo =
                List.of(generate(two, unseeded).text(), generate(two, unseeded).text());

        assertThat(fromTwo).isEqualTo(fromOne);
        assertThat(fromOne.get(0)).isNotEqualTo(fromOne.get(1));
    }

    @Test
    void sameSettingsGiveTheSameProblemsAndAnotherSeedOthers() {
        List<SyntheticProblem> problems =
                SyntheticModel.of(SyntheticSettings.defaults()).problems();

        assertThat(SyntheticModel.of(SyntheticSettings.defaults()).problems()).isEqualTo(problems);
        assertThat(SyntheticModel.of(SyntheticSettings.builder().seed(43).build())
                        .problems())
                .isNotEqualTo(problems);
        assertThat(problems).hasSize(200);
        assertThat(problems).extracting(SyntheticProblem::question).doesNotHaveDuplicates();
        assertThat(problems.get(17).question()).startsWith("Problem 17: ");
    }

    // --- answers ---

    @Test
    void accuracyAtTemperatureOneMatchesEachProblemsAccuracy() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.builder()
                .problems(20)
                .accuracy(AccuracyDistribution.uniform(0.1, 0.9))
                .build());
        int samples = 400;

        for (SyntheticProblem problem : model.problems()) {
            List<Choice> choices =
                    generate(model, ask(problem, samples, 1.0, 1)).choices();
            long correct = choices.stream()
                    .filter(choice -> model.path(choice.text()).orElseThrow().correct())
                    .count();

            // 4 standard errors of a proportion over 400 samples at most 0.1.
            assertThat((double) correct / samples)
                    .as("problem %d", problem.id())
                    .isCloseTo(problem.accuracy(), within(0.1));
        }
    }

    @Test
    void meanAccuracyOverManyProblemsMatchesTheDistribution() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.builder()
                .problems(500)
                .accuracy(AccuracyDistribution.beta(2, 2))
                .build());

        List<Choice> choices = samples(model, 8);
        long correct = choices.stream()
                .filter(choice -> model.path(choice.text()).orElseThrow().correct())
                .count();
        double meanAccuracy = model.problems().stream()
                .mapToDouble(SyntheticProblem::accuracy)
                .average()
                .orElseThrow();

        assertThat(meanAccuracy).isCloseTo(0.5, within(0.03));
        assertThat((double) correct / choices.size()).isCloseTo(meanAccuracy, within(0.02));
    }

    @Test
    void extractedAnswerAgreesWithThePathsGroundTruth() {
        SyntheticModel model =
                SyntheticModel.of(SyntheticSettings.builder().problems(30).build());

        for (Choice choice : samples(model, 4)) {
            SyntheticPath path = model.path(choice.text()).orElseThrow();

            assertThat(extracted(choice.text())).isEqualTo(path.answer());
            assertThat(model.grade(model.problem(path.problemId()), extracted(choice.text())))
                    .isEqualTo(path.correct());
            assertThat(choice.text()).endsWith("\nThe answer is " + path.answer() + ".");
        }
    }

    @Test
    void greedyDecodingGivesTheModalAnswerWhateverTheSeed() {
        SyntheticModel model =
                SyntheticModel.of(SyntheticSettings.builder().problems(60).build());
        int greedyCorrect = 0;

        for (SyntheticProblem problem : model.problems()) {
            Generation greedy = generate(model, ask(problem, 3, 0.0, problem.id()));
            Generation reseeded = generate(model, ask(problem, 1, 0.0, 1000 + problem.id()));

            assertThat(greedy.choices()).extracting(Choice::text).containsOnly(reseeded.text());
            String answer = extracted(greedy.text());
            String mode = problem.modeCorrect()
                    ? problem.answer()
                    : problem.distractors().get(0);
            assertThat(answer).isEqualTo(mode);
            greedyCorrect += problem.accepts(answer) ? 1 : 0;
        }

        assertThat(greedyCorrect).isBetween(1, 59);
    }

    @Test
    void temperatureSharpensOrFlattensTheAnswerDistribution() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.builder()
                .problems(1)
                .accuracy(AccuracyDistribution.fixed(0.5))
                .build());
        SyntheticProblem problem = model.problem(0);
        int samples = 2000;

        double cold = sampledAccuracy(model, problem, samples, 0.5);
        double hot = sampledAccuracy(model, problem, samples, 1.5);

        assertThat(model.accuracyAt(problem, 0.5)).isGreaterThan(0.7);
        assertThat(model.accuracyAt(problem, 1.5)).isLessThan(0.4);
        assertThat(model.accuracyAt(problem, 1.0)).isCloseTo(0.5, within(1e-9));
        assertThat(model.accuracyAt(problem, 0)).isEqualTo(1);
        assertThat(cold).isCloseTo(model.accuracyAt(problem, 0.5), within(0.04));
        assertThat(hot).isCloseTo(model.accuracyAt(problem, 1.5), within(0.04));
    }

    private static double sampledAccuracy(
            SyntheticModel model, SyntheticProblem problem, int samples, double temperature) {
        return generate(model, ask(problem, samples, temperature, 5)).choices().stream()
                        .filter(choice ->
                                model.path(choice.text()).orElseThrow().correct())
                        .count()
                / (double) samples;
    }

    @Test
    void greedyTemperatureMakesGreedyOneFixedDrawPerProblem() {
        SyntheticSettings settings =
                SyntheticSettings.builder().problems(200).greedyTemperature(0.6).build();
        SyntheticModel model = SyntheticModel.of(settings);
        int correct = 0;
        int modeCorrect = 0;

        for (SyntheticProblem problem : model.problems()) {
            Generation greedy = generate(model, ask(problem, 2, 0.0, 1));
            Generation reseeded = generate(model, ask(problem, 1, 0.0, 2));
            boolean isCorrect = model.path(greedy.text()).orElseThrow().correct();

            assertThat(greedy.choices()).extracting(Choice::text).containsOnly(reseeded.text());
            assertThat(model.accuracyAt(problem, 0)).isEqualTo(isCorrect ? 1 : 0);
            correct += isCorrect ? 1 : 0;
            modeCorrect += problem.modeCorrect() ? 1 : 0;
        }

        assertThat(correct).isLessThan(modeCorrect - 10);
        assertThat(model.describe(1).greedyAccuracy()).isEqualTo(correct / 200.0);
        assertThat(model.accuracyAt(model.problem(0), 1.0))
                .isCloseTo(model.problem(0).accuracy(), within(1e-9));
    }

    @Test
    void wrongAnswersCollideOnTheDistractors() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.builder()
                .problems(1)
                .accuracy(AccuracyDistribution.fixed(0.2))
                .build());
        SyntheticProblem problem = model.problem(0);

        Map<String, Long> counts = generate(model, ask(problem, 1000, 1.0, 9)).choices().stream()
                .map(choice -> extracted(choice.text()))
                .collect(Collectors.groupingBy(answer -> answer, Collectors.counting()));

        // Wrong mass 0.8: 80% over the distractors (4/7, 2/7, 1/7), 20% one-off answers.
        assertThat(counts.get(problem.distractors().get(0)) / 1000.0).isCloseTo(0.8 * 0.8 * 4 / 7, within(0.04));
        assertThat(counts.get(problem.distractors().get(1)) / 1000.0).isCloseTo(0.8 * 0.8 * 2 / 7, within(0.03));
        assertThat(counts.get(problem.distractors().get(2)) / 1000.0).isCloseTo(0.8 * 0.8 / 7, within(0.03));
        long oneOff = counts.entrySet().stream()
                .filter(entry -> !entry.getKey().equals(problem.answer())
                        && !problem.distractors().contains(entry.getKey()))
                .mapToLong(Map.Entry::getValue)
                .sum();
        assertThat(oneOff / 1000.0).isCloseTo(0.16, within(0.03));
        assertThat(problem.modeCorrect()).isFalse();
        assertThat(model.accuracyAt(problem, 0)).isZero();
    }

    // --- logprobs ---

    @Test
    void correctPathsHaveAHigherMeanLogprobByTheSeparation() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.builder()
                .problems(100)
                .accuracy(AccuracyDistribution.uniform(0.3, 0.7))
                .logprobSeparation(0.2)
                .build());

        double gap = meanLogprobGap(model, samples(model, 8));

        assertThat(gap).isCloseTo(0.2, within(0.03));
    }

    @Test
    void zeroSeparationMakesLogprobsUninformative() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.builder()
                .problems(100)
                .accuracy(AccuracyDistribution.uniform(0.3, 0.7))
                .logprobSeparation(0)
                .build());

        double gap = meanLogprobGap(model, samples(model, 8));

        assertThat(gap).isCloseTo(0, within(0.03));
    }

    private static double meanLogprobGap(SyntheticModel model, List<Choice> choices) {
        Map<Boolean, Double> means = choices.stream()
                .collect(Collectors.partitioningBy(
                        choice -> model.path(choice.text()).orElseThrow().correct(),
                        Collectors.averagingDouble(Choice::meanLogprob)));
        return means.get(true) - means.get(false);
    }

    @Test
    void tokensCarryTheirLogprobsAndTopAlternativesWhenAsked() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticProblem problem = model.problem(0);

        Choice withTop = generate(model, ask(problem, 1, 1.0, 4).withLogprobs(3))
                .choices()
                .get(0);
        Choice without = generate(model, ask(problem, 1, 1.0, 4).withLogprobs(0))
                .choices()
                .get(0);
        Choice none = generate(
                        model,
                        new GenerationRequest(
                                ask(problem, 1, 1.0, 4).messages(), 1, 1.0, null, null, List.of(), 4L, false, 0, null))
                .choices()
                .get(0);

        assertThat(withTop.tokens().stream().map(TokenLogprob::token).collect(Collectors.joining()))
                .isEqualTo(withTop.text());
        assertThat(withTop.tokens()).allSatisfy(token -> {
            assertThat(token.logprob()).isLessThanOrEqualTo(0);
            assertThat(token.top())
                    .hasSize(3)
                    .extracting(TokenLogprob.Alternative::token)
                    .contains(token.token());
            assertThat(token.top().stream()
                            .mapToDouble(a -> Math.exp(a.logprob()))
                            .sum())
                    .isLessThanOrEqualTo(1.0 + 1e-9);
        });
        assertThat(without.tokens()).allSatisfy(token -> assertThat(token.top()).isEmpty());
        assertThat(without.tokens())
                .extracting(TokenLogprob::logprob)
                .isEqualTo(withTop.tokens().stream().map(TokenLogprob::logprob).toList());
        assertThat(none.text()).isEqualTo(withTop.text());
        assertThat(none.tokens()).isEmpty();
    }

    // --- self-evaluation ---

    @Test
    void selfEvaluationGivesWrongPathsHigherYesWithTheConfiguredAuc() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.builder()
                .problems(100)
                .accuracy(AccuracyDistribution.uniform(0.3, 0.7))
                .evalAuc(0.8)
                .build());
        List<Double> wrong = new ArrayList<>();
        List<Double> correct = new ArrayList<>();

        for (Choice choice : samples(model, 8)) {
            SyntheticPath path = model.path(choice.text()).orElseThrow();
            double yes = pYes(generate(model, judge(model.problem(path.problemId()), choice.text())));
            (path.correct() ? correct : wrong).add(yes);
        }

        assertThat(auc(wrong, correct)).isCloseTo(0.8, within(0.04));
        assertThat(model.selfEvaluations()).isEqualTo(800);
    }

    @Test
    void partialPrefixesAreJudgedWithAWeakerSignal() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.builder()
                .problems(150)
                .accuracy(AccuracyDistribution.uniform(0.3, 0.7))
                .meanLength(200)
                .lengthSpread(0)
                .evalAuc(0.9)
                .partialEvalStrength(0.3)
                .build());
        List<Double> wrong = new ArrayList<>();
        List<Double> correct = new ArrayList<>();

        for (SyntheticProblem problem : model.problems()) {
            for (Choice prefix :
                    generate(model, ask(problem, 8, 1.0, 3).withMaxTokens(20)).choices()) {
                boolean isCorrect = model.path(prefix.text()).orElseThrow().correct();
                assertThat(prefix.finishReason()).isEqualTo("length");
                (isCorrect ? correct : wrong).add(pYes(generate(model, judge(problem, prefix.text()))));
            }
        }

        // A prefix of 20 of 200 tokens keeps 0.3 + 0.7 * (share of characters) of the logit gap.
        double gap = model.settings().evalSeparation();
        double share = 0.1;
        double expected = Drawn.auc(gap * (0.3 + 0.7 * share));
        assertThat(auc(wrong, correct)).isCloseTo(expected, within(0.05)).isLessThan(0.75);
    }

    /** Expected AUCs of the unit-noise model. */
    private static final class Drawn {
        static double auc(double gap) {
            return Draws.normalCdf(gap / Math.sqrt(2));
        }
    }

    @Test
    void textItNeverGeneratedIsJudgedAtOneHalf() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticProblem problem = model.problem(0);
        String real = generate(model, ask(problem, 1, 1.0, 1)).text();

        Generation stranger = generate(model, judge(problem, "I think it is 12.\nThe answer is 12."));
        Generation forged = generate(model, judge(problem, "Route abcdefghijkl. so\nThe answer is 12."));
        Generation edited = generate(model, judge(problem, real.replace(" ", "  ")));

        assertThat(pYes(stranger)).isCloseTo(0.5, within(1e-12));
        assertThat(pYes(forged)).isCloseTo(0.5, within(1e-12));
        assertThat(pYes(edited)).isCloseTo(0.5, within(1e-12));
        assertThat(pYes(generate(model, judge(problem, real)))).isNotCloseTo(0.5, within(1e-6));
        assertThat(stranger.choices().get(0).tokens().get(0).top())
                .extracting(TokenLogprob.Alternative::token)
                .containsExactly("Yes", "No", "Maybe", " Yes", " No");
        assertThat(stranger.usage().completionTokens()).isEqualTo(1);
        assertThat(stranger.choices().get(0).finishReason()).isEqualTo("length");
    }

    @Test
    void selfEvaluationIsExactWithoutFoldingAndSaysTheLikelierWord() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticProblem problem = model.problem(1);
        String text = generate(model, ask(problem, 1, 1.0, 1)).text();

        Generation judged = generate(model, judge(problem, text));
        TokenLogprob token = judged.choices().get(0).tokens().get(0);
        double yes = Math.exp(token.top().stream()
                .filter(a -> a.token().equals("Yes"))
                .findFirst()
                .orElseThrow()
                .logprob());
        double no = Math.exp(token.top().stream()
                .filter(a -> a.token().equals("No"))
                .findFirst()
                .orElseThrow()
                .logprob());

        assertThat(yes / (yes + no)).isCloseTo(model.pYes(text), within(1e-9));
        assertThat(pYes(judged)).isCloseTo(model.pYes(text), within(1e-9));
        assertThat(judged.text()).isEqualTo(model.pYes(text) >= 0.5 ? "Yes" : "No");
    }

    @Test
    void judgesAPathQuotedInTheFinalUserMessageAsMuchAsItHolds() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticProblem problem = model.problem(2);
        String text = generate(model, ask(problem, 1, 1.0, 1)).text();
        String prefix =
                generate(model, ask(problem, 1, 1.0, 1).withMaxTokens(6)).text();
        GenerationRequest quoted = new GenerationRequest(
                List.of(ChatMessage.user(
                        problem.question() + "\nResponse:\n" + text + "\n\nWould starting over be better?")),
                1,
                null,
                null,
                1,
                List.of(),
                null,
                true,
                2,
                null);
        GenerationRequest quotedPrefix = new GenerationRequest(
                List.of(ChatMessage.user("Response: " + prefix + "\n[...]\n" + JUDGE_QUESTION)),
                1,
                null,
                null,
                1,
                List.of(),
                null,
                true,
                2,
                null);

        assertThat(pYes(generate(model, quoted))).isCloseTo(model.pYes(text), within(1e-9));
        assertThat(pYes(generate(model, quotedPrefix))).isCloseTo(model.pYes(prefix), within(1e-9));
        assertThat(model.pYes(prefix)).isNotCloseTo(model.pYes(text), within(1e-6));
        assertThat(model.selfEvaluations()).isEqualTo(2);
    }

    @Test
    void onlyAOneTokenQueryWithTopLogprobsAfterAnAnswerIsASelfEvaluation() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticProblem problem = model.problem(0);
        String text = generate(model, ask(problem, 1, 1.0, 1)).text();

        Generation twoTokens = generate(model, judge(problem, text).withMaxTokens(2));

        assertThat(twoTokens.text()).startsWith("Route ");
        assertThat(SyntheticModel.isSelfEvaluation(judge(problem, text))).isTrue();
        assertThat(SyntheticModel.isSelfEvaluation(judge(problem, text).withLogprobs(0)))
                .isFalse();
        assertThat(SyntheticModel.isSelfEvaluation(
                        ask(problem, 1, 1.0, 1).withMaxTokens(1).withLogprobs(5)))
                .isFalse();
        assertThat(model.selfEvaluations()).isZero();
    }

    // --- request shape ---

    @Test
    void maxTokensCutsWithLengthAndAStopSequenceCutsBeforeIt() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticProblem problem = model.problem(2);
        Choice whole = generate(model, ask(problem, 1, 1.0, 6)).choices().get(0);

        Choice cut = generate(model, ask(problem, 1, 1.0, 6).withMaxTokens(5))
                .choices()
                .get(0);
        Choice stopped = generate(model, ask(problem, 1, 1.0, 6).withStop(List.of("\nThe answer")))
                .choices()
                .get(0);

        assertThat(whole.finishReason()).isEqualTo("stop");
        assertThat(cut.tokens()).hasSize(5);
        assertThat(cut.finishReason()).isEqualTo("length");
        assertThat(whole.text()).startsWith(cut.text());
        assertThat(extracted(cut.text())).isEmpty();
        assertThat(stopped.finishReason()).isEqualTo("stop");
        assertThat(stopped.text() + "\nThe answer"
                        + whole.text().substring(stopped.text().length() + 11))
                .isEqualTo(whole.text());
        assertThat(stopped.tokens()).hasSize(whole.tokens().size() - 4);
    }

    @Test
    void continuesAPrefixOfAPathItGenerated() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticProblem problem = model.problem(4);
        Choice whole = generate(model, ask(problem, 1, 1.0, 2)).choices().get(0);
        Choice head = generate(model, ask(problem, 1, 1.0, 2).withMaxTokens(10))
                .choices()
                .get(0);
        GenerationRequest resume = new GenerationRequest(
                ask(problem, 1, 1.0, 2).messages(), 1, 1.0, null, null, List.of(), 99L, true, 0, head.text());

        Choice rest = generate(model, resume).choices().get(0);

        assertThat(head.text() + rest.text()).isEqualTo(whole.text());
        assertThat(rest.tokens())
                .isEqualTo(whole.tokens().subList(10, whole.tokens().size()));
    }

    @Test
    void usageCountsPromptCharactersOverFourAndEveryCompletionToken() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        SyntheticProblem problem = model.problem(0);
        GenerationRequest request = ask(problem, 3, 1.0, 1);

        Generation generation = generate(model, request);

        long chars = request.messages().get(0).content().length();
        long tokens = generation.choices().stream()
                .mapToLong(choice -> choice.tokens().size())
                .sum();
        assertThat(generation.usage()).isEqualTo(new Usage((chars + 3) / 4, tokens));
        assertThat(model.completionTokens()).isEqualTo(tokens);
        assertThat(model.promptTokens()).isEqualTo((chars + 3) / 4);
        assertThat(model.calls()).isEqualTo(1);
    }

    @Test
    void aRequestWithoutAKnownProblemFails() {
        SyntheticModel model =
                SyntheticModel.of(SyntheticSettings.builder().problems(5).build());

        StepVerifier.create(model.generate(GenerationRequest.of(List.of(ChatMessage.user("Problem 5: what?")))))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("id below 5"))
                .verify(WAIT);
    }

    // --- streaming ---

    @Test
    void streamEmitsTheSameTokensAsGenerateThenUsage() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        GenerationRequest request = ask(model.problem(5), 2, 1.0, 12).withLogprobs(2);
        Generation generated = generate(SyntheticModel.of(SyntheticSettings.defaults()), request);
        Map<Integer, StringBuilder> texts = new HashMap<>();
        Map<Integer, List<TokenLogprob>> tokens = new HashMap<>();
        Map<Integer, String> finishes = new HashMap<>();
        List<GenerationChunk> chunks = new ArrayList<>();

        StepVerifier.create(model.stream(request))
                .recordWith(() -> chunks)
                .thenConsumeWhile(chunk -> true)
                .verifyComplete();
        for (GenerationChunk chunk : chunks.subList(0, chunks.size() - 1)) {
            texts.computeIfAbsent(chunk.index(), i -> new StringBuilder()).append(chunk.delta());
            tokens.computeIfAbsent(chunk.index(), i -> new ArrayList<>()).addAll(chunk.tokens());
            if (chunk.finishReason() != null) {
                finishes.put(chunk.index(), chunk.finishReason());
            }
        }

        for (Choice choice : generated.choices()) {
            assertThat(texts.get(choice.index())).hasToString(choice.text());
            assertThat(tokens.get(choice.index())).isEqualTo(choice.tokens());
            assertThat(finishes.get(choice.index())).isEqualTo("stop");
        }
        assertThat(chunks.get(0).index()).isZero();
        assertThat(chunks.get(1).index()).isEqualTo(1);
        assertThat(chunks.get(chunks.size() - 1).isUsageOnly()).isTrue();
        assertThat(chunks.get(chunks.size() - 1).usage()).isEqualTo(generated.usage());
        assertThat(model.completionTokens()).isEqualTo(generated.usage().completionTokens());
    }

    @Test
    void cancelledStreamCountsOnlyTheTokensItEmitted() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());

        StepVerifier.create(model.stream(ask(model.problem(0), 1, 1.0, 1)).take(5))
                .expectNextCount(5)
                .verifyComplete();

        assertThat(model.completionTokens()).isEqualTo(5);
        assertThat(model.cancelledStreams()).isEqualTo(1);
    }

    @Test
    void streamWithoutLogprobsCarriesNoTokens() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());
        GenerationRequest request = new GenerationRequest(
                ask(model.problem(0), 1, 1.0, 1).messages(), 1, 1.0, null, null, List.of(), 1L, false, 0, null);

        StepVerifier.create(model.stream(request))
                .thenConsumeWhile(chunk -> chunk.tokens().isEmpty())
                .verifyComplete();
    }

    @Test
    void tokenDelaySpacesTheStreamInVirtualTime() {
        SyntheticSettings settings = SyntheticSettings.builder()
                .meanLength(10)
                .lengthSpread(0)
                .tokenDelay(Duration.ofMillis(100))
                .build();
        SyntheticModel model = SyntheticModel.of(settings);

        StepVerifier.withVirtualTime(() -> model.stream(ask(model.problem(0), 1, 1.0, 1)))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(1))
                .expectNextCount(1)
                .thenAwait(Duration.ofMillis(1100))
                .expectNextCount(11) // nine more tokens, the finish chunk and the usage chunk
                .verifyComplete();
        assertThat(model.completionTokens()).isEqualTo(10);
    }

    // --- variants and calibration ---

    @Test
    void strongerModelSharesTheProblemsAtHigherAccuracy() {
        SyntheticModel local = SyntheticModel.of("local", SyntheticSettings.defaults());

        SyntheticModel server = local.stronger("server", 2.0);

        assertThat(server.name()).isEqualTo("server");
        assertThat(server.problems()).hasSameSizeAs(local.problems());
        for (SyntheticProblem problem : local.problems()) {
            SyntheticProblem stronger = server.problem(problem.id());
            assertThat(stronger.question()).isEqualTo(problem.question());
            assertThat(stronger.answer()).isEqualTo(problem.answer());
            assertThat(stronger.distractors()).isEqualTo(problem.distractors());
            assertThat(Draws.logit(stronger.accuracy())).isCloseTo(Draws.logit(problem.accuracy()) + 2.0, within(1e-6));
        }
        assertThat(server.describe(1).meanAccuracy())
                .isGreaterThan(local.describe(1).meanAccuracy() + 0.2);
    }

    @Test
    void describeAgreesWithTheProblemsAndImprovesWithVotes() {
        SyntheticModel model = SyntheticModel.of(SyntheticSettings.defaults());

        SyntheticModel.Calibration calibration = model.describe(1, 8, 32);

        double mean = model.problems().stream()
                .mapToDouble(SyntheticProblem::accuracy)
                .average()
                .orElseThrow();
        assertThat(calibration.meanAccuracy()).isCloseTo(mean, within(1e-12));
        assertThat(calibration.majorityAccuracy().get(1)).isCloseTo(mean, within(0.02));
        assertThat(calibration.majorityAccuracy().get(32))
                .isGreaterThan(calibration.majorityAccuracy().get(8));
        assertThat(calibration.majorityAccuracy().get(32)).isCloseTo(calibration.greedyAccuracy(), within(0.05));
        assertThat(calibration.passAtK().get(1)).isCloseTo(mean, within(1e-12));
        assertThat(calibration.toString()).contains("| 32 | ");
    }

    @Test
    void settingsRefuseKnobsOutOfRangeByName() {
        assertThatThrownBy(() -> SyntheticSettings.builder().evalAuc(0.4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("evalAuc");
        assertThatThrownBy(() -> SyntheticSettings.builder().meanLength(3).build())
                .hasMessageContaining("meanLength");
        assertThatThrownBy(() -> SyntheticSettings.builder().scatter(1).build()).hasMessageContaining("scatter");
        assertThatThrownBy(() -> AccuracyDistribution.uniform(0.6, 0.4)).hasMessageContaining("uniform");
        assertThat(SyntheticSettings.defaults().toBuilder().build()).isEqualTo(SyntheticSettings.defaults());
        assertThat(SyntheticSettings.builder().evalAuc(0.5).build().evalSeparation())
                .isCloseTo(0, within(1e-6));
    }

    @Test
    void generatesAHundredProblemsTimesSixteenSamplesInWellUnderASecond() {
        SyntheticModel model =
                SyntheticModel.of(SyntheticSettings.builder().problems(100).build());
        samples(model, 16); // warm-up

        Duration fastest = Duration.ofDays(1);
        int generated = 0;
        for (int round = 0; round < 3; round++) { // the fastest of three, so that a busy machine does not fail it
            long start = System.nanoTime();
            generated = samples(model, 16).size();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            fastest = took.compareTo(fastest) < 0 ? took : fastest;
        }

        assertThat(generated).isEqualTo(1600);
        assertThat(fastest).isLessThan(Duration.ofMillis(500));
    }

    // --- behind the fake OpenAI server ---

    @Test
    void answersThroughTheFakeServerAndTheOpenAiEndpointAsInMemory() {
        SyntheticModel behindHttp = SyntheticModel.of("local", SyntheticSettings.defaults());
        SyntheticModel twin = SyntheticModel.of("local", SyntheticSettings.defaults());
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            server.defaultReply(behindHttp.reply());
            OpenAiEndpoint endpoint = new OpenAiEndpoint(
                    "local",
                    EndpointSettings.of("openai", server.baseUri(), "synthetic")
                            .withCapabilities(new CapabilityOverrides(true, true, 20)),
                    WebClient.builder());
            try {
                SyntheticProblem problem = twin.problem(8);
                GenerationRequest request = ask(problem, 2, 1.0, 21).withLogprobs(3);

                Generation overHttp =
                        Objects.requireNonNull(endpoint.generate(request).block(WAIT));
                Generation inMemory = generate(twin, request);
                List<GenerationChunk> streamed = Objects.requireNonNull(
                        endpoint.stream(request.withN(1)).collectList().block(WAIT));
                Generation judged = Objects.requireNonNull(
                        endpoint.generate(judge(problem, overHttp.text())).block(WAIT));

                assertThat(overHttp.choices())
                        .extracting(Choice::text)
                        .containsExactlyElementsOf(
                                inMemory.choices().stream().map(Choice::text).toList());
                assertThat(overHttp.choices().get(1).tokens())
                        .isEqualTo(inMemory.choices().get(1).tokens());
                assertThat(overHttp.usage()).isEqualTo(inMemory.usage());
                assertThat(streamed.stream()
                                .filter(chunk -> chunk.index() == 0)
                                .map(GenerationChunk::delta)
                                .collect(Collectors.joining()))
                        .isEqualTo(inMemory.text());
                assertThat(pYes(judged)).isCloseTo(twin.pYes(inMemory.text()), within(1e-9));
                assertThat(server.calls()).isEqualTo(3);
                assertThat(behindHttp.selfEvaluations()).isEqualTo(1);
            } finally {
                endpoint.close();
            }
        }
    }
}
