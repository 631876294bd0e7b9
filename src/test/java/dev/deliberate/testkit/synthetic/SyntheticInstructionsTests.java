package dev.deliberate.testkit.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated instruction follower's measured rates match its knobs. */
class SyntheticInstructionsTests {

    private static final SyntheticInstructions.Settings SETTINGS = SyntheticInstructions.Settings.defaults();

    private static List<Choice> ask(
            SyntheticInstructions model, List<ChatMessage> messages, int n, double t, long seed) {
        return model.generate(GenerationRequest.of(messages)
                        .withN(n)
                        .withTemperature(t)
                        .withSeed(seed))
                .block(Duration.ofSeconds(5))
                .choices();
    }

    private static String judgePrompt(String response) {
        return "## Judge: does the response follow the instruction?\n\nInstruction:\n~~~~~~~~\nInstruction 1: x\n"
                + "~~~~~~~~\n\nResponse:\n~~~~~~~~\n" + response + "\n~~~~~~~~\n";
    }

    @Test
    void sampledActorResponsesPassAtTheProblemsRateAndGreedyIsOneFixedAnswer() {
        SyntheticInstructions model = new SyntheticInstructions("local", SETTINGS);
        int passed = 0;
        int samples = 0;
        for (int id = 0; id < 200; id++) {
            for (Choice choice :
                    ask(model, List.of(ChatMessage.user(SyntheticInstructions.instruction(id))), 8, 0.9, id)) {
                samples++;
                passed += model.passes(choice.text()) ? 1 : 0;
            }
        }
        List<Choice> greedy = ask(model, List.of(ChatMessage.user(SyntheticInstructions.instruction(3))), 2, 0.0, 1);

        assertThat((double) passed / samples).isCloseTo(SETTINGS.actorPassRate(), within(0.06));
        assertThat(greedy.get(0).text()).isEqualTo(greedy.get(1).text());
        assertThat(model.responsesWritten()).isEqualTo(samples + 2);
    }

    @Test
    void theJudgeIsRightAtItsAccuracyAndTheRefinerFixesAtItsRate() {
        SyntheticInstructions model = new SyntheticInstructions("local", SETTINGS);
        int judged = 0;
        int right = 0;
        int failing = 0;
        int fixed = 0;
        int unmarked = 0;
        for (int id = 0; id < 300; id++) {
            String response = ask(model, List.of(ChatMessage.user(SyntheticInstructions.instruction(id))), 1, 0.9, id)
                    .get(0)
                    .text();
            boolean passes = model.passes(response);
            // Each call its own seed, as the run engine gives each step one: equal seeds would replay equal draws.
            for (Choice vote : ask(model, List.of(ChatMessage.user(judgePrompt(response))), 5, 0.7, 1000 + id)) {
                judged++;
                right += vote.text().endsWith("Yes") == passes ? 1 : 0;
            }
            if (!passes) {
                String reply = ask(
                                model,
                                List.of(
                                        ChatMessage.user(judgePrompt(response)),
                                        ChatMessage.assistant("Final Judgement: No"),
                                        ChatMessage.user("## Refine: rewrite the response")),
                                1,
                                0.7,
                                2000 + id)
                        .get(0)
                        .text();
                failing++;
                fixed += model.passes(reply) && reply.contains("<<<REFINED RESPONSE>>>") ? 1 : 0;
                unmarked += reply.contains("<<<REFINED RESPONSE>>>") ? 0 : 1;
            }
        }

        // A sample is right when the view is right and not flipped, or wrong and flipped.
        double expected = SETTINGS.judgeAccuracy() * (1 - SETTINGS.judgeNoise())
                + (1 - SETTINGS.judgeAccuracy()) * SETTINGS.judgeNoise();
        assertThat((double) right / judged).isCloseTo(expected, within(0.05));
        assertThat((double) fixed / failing)
                .isCloseTo(SETTINGS.fixRate() * (1 - SETTINGS.missingMarkers()), within(0.08));
        assertThat((double) unmarked / failing).isCloseTo(SETTINGS.missingMarkers(), within(0.05));
    }
}
