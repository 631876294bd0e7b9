package dev.deliberate.model.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.model.djl.DjlEndpoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** The committed checkpoint, loaded from the classpath as the service loads it. */
class EmbeddedModelTests {

    /** The model card's greedy accuracy on the first 50 held-out problems (docs/embedded-model.md). */
    static final double CARD_ACCURACY = 0.68;
    /**
     * The greedy answer to the README question, as the model card shows it: wrong (17 + 75 is 92), the kind of slip
     * that sampling and voting repair.
     */
    static final String README_ANSWER = "25 times 3 is 75.\n17 plus 75 is 82.\nThe answer is 82.";

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
