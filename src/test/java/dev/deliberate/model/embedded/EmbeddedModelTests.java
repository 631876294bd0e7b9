package dev.deliberate.model.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.TokenLogprob;
import dev.deliberate.model.djl.DjlEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** The committed checkpoint, loaded from the classpath as the service loads it. */
class EmbeddedModelTests {

    /** The model card's greedy accuracy on the first 50 held-out problems (docs/embedded-model.md). */
    static final double CARD_ACCURACY = 0.70;
    /** The greedy answer to the README question, as the model card shows it. */
    static final String README_ANSWER = "25 times 3 is 75.\n17 plus 75 is 92.\nThe answer is 92.";

    /**
     * The model card's self-evaluation AUROC on its own greedy answers to the first {@value #JUDGED} held-out problems:
     * how often a wrong answer gets a higher P(Yes) than a right one.
     */
    static final double CARD_OWN_AUROC = 0.61;

    static final int JUDGED = 100;

    private static DjlEndpoint model;

    @BeforeAll
    static void load() {
        model = EmbeddedModel.load();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void loadsFromTheClasspathAsTheEmbeddedEndpoint() {
        assertThat(model.name()).isEqualTo("embedded");
        assertThat(model.kind()).isEqualTo("djl");
        assertThat(model.model()).isEqualTo("deliberate-arithmetic");
    }

    @Test
    void answersHeldOutProblemsGreedilyAtLeastAsOftenAsTheModelCardSays() {
        // -Dembedded.problems=500 measures the whole held-out split (the model card's command).
        int count = Integer.getInteger("embedded.problems", 50);
        List<ArithmeticCorpus.Problem> problems =
                ArithmeticCorpus.splits(7, 0, 500).test().subList(0, count);

        List<Boolean> right = Flux.fromIterable(problems)
                .flatMapSequential(
                        problem -> model.generate(greedy(problem.question()))
                                .map(generation -> isRight(generation, problem)),
                        2)
                .collectList()
                .block(Duration.ofSeconds(30 + 2L * count));

        long correct = right.stream().filter(Boolean::booleanValue).count();
        long firstFifty = right.subList(0, Math.min(50, count)).stream()
                .filter(Boolean::booleanValue)
                .count();
        System.out.println("embedded model: " + correct + " of " + count + " held-out problems right (greedy), "
                + firstFifty + " of the first 50");
        for (int operations = 1; operations <= 3; operations++) {
            int total = 0;
            int hits = 0;
            for (int i = 0; i < count; i++) {
                if (problems.get(i).steps().size() == operations) {
                    total++;
                    hits += right.get(i) ? 1 : 0;
                }
            }
            System.out.println("  " + operations + " operation(s): " + hits + " of " + total);
        }
        assertThat((double) correct / count).isGreaterThanOrEqualTo(CARD_ACCURACY - 0.10);
    }

    @Test
    void answersTheReadmeQuestionGreedilyAsTheModelCardShows() {
        Generation generation =
                model.generate(greedy("What is 17 plus 25 times 3?")).block(Duration.ofSeconds(20));

        String text = generation.choices().get(0).text();
        assertThat(text).isEqualTo(" " + README_ANSWER);
        assertThat(generation.choices().get(0).finishReason()).isEqualTo("stop");
    }

    @Test
    void ranksItsOwnWrongAnswersAboveItsRightOnesAsTheModelCardSays() throws Exception {
        String instruction = Files.readString(Path.of("prompts/answer/math.md")).strip();
        String question =
                Files.readString(Path.of(EmbeddedModelTrainer.RESTART)).strip();
        List<ArithmeticCorpus.Problem> problems =
                ArithmeticCorpus.splits(7, 0, 500).test().subList(0, JUDGED);

        // As adaptive sampling runs it: the framed question answered greedily, then the restart question after it.
        List<double[]> scored = Flux.fromIterable(problems)
                .flatMapSequential(
                        problem -> {
                            List<ChatMessage> conversation =
                                    List.of(ChatMessage.system(instruction), ChatMessage.user(problem.question()));
                            return model.generate(GenerationRequest.of(conversation)
                                            .withTemperature(0.0)
                                            .withMaxTokens(100))
                                    .flatMap(answer -> {
                                        String text = answer.choices().get(0).text();
                                        List<ChatMessage> judged = new ArrayList<>(conversation);
                                        judged.add(ChatMessage.assistant(text));
                                        judged.add(ChatMessage.user(question));
                                        return model.generate(GenerationRequest.of(judged)
                                                        .withTemperature(0.0)
                                                        .withMaxTokens(1)
                                                        .withLogprobs(20))
                                                .map(judgment -> new double[] {
                                                    restartProbability(judgment), isRight(answer, problem) ? 0 : 1
                                                });
                                    });
                        },
                        2)
                .collectList()
                .block(Duration.ofSeconds(60));

        double auroc = EmbeddedModelTrainer.auroc(scored);
        System.out.printf(
                Locale.ROOT,
                "embedded model: judged its own greedy answers to %d problems (%d wrong): accuracy %.3f, AUROC %.3f%n",
                scored.size(),
                scored.stream().filter(pair -> pair[1] == 1).count(),
                EmbeddedModelTrainer.accuracy(scored),
                auroc);
        assertThat(auroc).isGreaterThanOrEqualTo(CARD_OWN_AUROC - 0.06);
    }

    /** P(Yes) over {Yes, No} among the first token's alternatives, as the self-evaluation strategies read it. */
    private static double restartProbability(Generation generation) {
        double yes = 0;
        double no = 0;
        for (TokenLogprob.Alternative alternative :
                generation.choices().get(0).tokens().get(0).top()) {
            if (alternative.token().strip().equals("Yes")) {
                yes += Math.exp(alternative.logprob());
            } else if (alternative.token().strip().equals("No")) {
                no += Math.exp(alternative.logprob());
            }
        }
        assertThat(yes + no).isGreaterThan(0.9);
        return yes / (yes + no);
    }

    static GenerationRequest greedy(String question) {
        return GenerationRequest.of(List.of(ChatMessage.user(question)))
                .withTemperature(0.0)
                .withMaxTokens(100);
    }

    private static boolean isRight(Generation generation, ArithmeticCorpus.Problem problem) {
        return generation
                .choices()
                .get(0)
                .text()
                .strip()
                .endsWith(ArithmeticCorpus.Problem.finalLine(problem.answer()));
    }
}
