package dev.deliberate.strategy.funcoder;

import static dev.deliberate.strategy.funcoder.CoderModel.Prompt.CONQUER;
import static dev.deliberate.strategy.funcoder.CoderModel.Prompt.DIVIDE;
import static dev.deliberate.strategy.funcoder.CoderModel.Prompt.SYSTEM_TESTS;
import static dev.deliberate.strategy.funcoder.CoderModel.Prompt.TESTS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.api.ApiIntegrationTest;
import dev.deliberate.sandbox.CallResult;
import dev.deliberate.sandbox.Execution;
import dev.deliberate.sandbox.Program;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.JsonRequests;
import dev.deliberate.testkit.Sandboxes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HumanEval/0 through both APIs with the shipped {@code funcoder} profile: the fake backend writes the code, the
 * sandbox runs it for real, and the answer then passes HumanEval's own check, run in the sandbox too.
 */
class FunCoderIntegrationTests extends ApiIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode problem() {
        try {
            String line = Files.readAllLines(Path.of("src/test/resources/humaneval/sample.jsonl"))
                    .get(0);
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String SIGNATURE = "def has_close_elements(numbers: List[float], threshold: float) -> bool:";
    private static final String PAIRS = SIGNATURE + "\n"
            + "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])";
    private static final String SORTED = SIGNATURE + "\n"
            + "    ordered = sorted(numbers)\n"
            + "    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))";
    /** Wrong: it compares with the threshold inclusively and only neighbours in the given order. */
    private static final String NEIGHBOURS =
            SIGNATURE + "\n" + "    return any(abs(a - b) <= threshold for a, b in zip(numbers, numbers[1:]))";

    private static CoderModel model() {
        return new CoderModel()
                .on(DIVIDE, "has_close_elements", PAIRS)
                .on(CONQUER, "has_close_elements", SORTED, NEIGHBOURS, PAIRS, SORTED, PAIRS)
                .on(
                        TESTS,
                        "has_close_elements",
                        "has_close_elements([1.0, 2.0, 3.0], 0.5)\n"
                                + "has_close_elements([3.0, 1.0, 2.9], 0.2)\n"
                                + "has_close_elements([], 1.0)\n"
                                + "has_close_elements([1.0, 1.5], 0.5)")
                .on(
                        SYSTEM_TESTS,
                        "has_close_elements",
                        "assert has_close_elements([1.0, 2.0, 3.0], 0.5) == False\n"
                                + "assert has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3) == True");
    }

    private static void serve(CoderModel model) {
        BACKEND.defaultReply(Reply.text((request, choice, call) -> {
            JsonNode messages = request.path("messages");
            return model.reply(messages.get(messages.size() - 1).path("content").asString());
        }));
    }

    private JsonNode post(String uri, Object body, int status) {
        return new JsonRequests(client).post(uri, body, status);
    }

    /** HumanEval's test for the problem, run against {@code program} in the sandbox. */
    private static CallResult humanEvalCheck(String program) {
        JsonNode problem = problem();
        Execution execution = Sandboxes.runner()
                .execute(new Program(
                        program + "\n\n" + problem.path("test").asString(),
                        List.of("check(" + problem.path("entry_point").asString() + ")"),
                        Duration.ofSeconds(5),
                        0))
                .block(Duration.ofSeconds(30));
        return execution.calls().get(0);
    }

    @Test
    void chatCompletionsWritesAProgramThatPassesHumanEval() {
        CoderModel model = model();
        serve(model);

        JsonNode reply = post(
                "/v1/chat/completions",
                Map.of(
                        "model",
                        "funcoder",
                        "messages",
                        List.of(Map.of(
                                "role",
                                "user",
                                "content",
                                problem().path("prompt").asString()))),
                200);

        String content =
                reply.path("choices").get(0).path("message").path("content").asString();
        assertThat(content).startsWith("```python\n").endsWith("\n```");
        String program = content.substring("```python\n".length(), content.length() - "\n```".length());
        // The client's import stays; the neighbours-only sample loses the consensus to the four that agree.
        assertThat(program).startsWith("from typing import List\n\n\n").doesNotContain("zip(numbers, numbers[1:])");
        assertThat(humanEvalCheck(program).outcome()).isEqualTo(CallResult.Outcome.RETURNED);
        // divide, conquer (one request of 10), test inputs, docstring examples
        assertThat(BACKEND.calls()).isEqualTo(4);
        assertThat(reply.path("deliberate").path("strategy").asString()).isEqualTo("funcoder");
        assertThat(reply.path("usage").path("completion_tokens").asInt()).isPositive();
    }

    @Test
    void reasonTakesTheEntryPointAndClientTestsAndShowsEveryExecution() {
        CoderModel model = model();
        serve(model);
        JsonNode problem = problem();

        JsonNode run = post(
                "/v1/reason",
                Map.of(
                        "profile",
                        "funcoder",
                        "problem",
                        Map.of(
                                "text",
                                problem.path("prompt").asString(),
                                "kind",
                                "code",
                                "entry_point",
                                "has_close_elements",
                                "tests",
                                List.of("assert has_close_elements([1.0, 1.05], 0.1) is True"))),
                200);

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(humanEvalCheck(run.path("answer").asString()).outcome()).isEqualTo(CallResult.Outcome.RETURNED);
        // The draft and 10 samples: 4 of the cycle's 5 replies agree, 2 of every 5 are the pairs version.
        assertThat(run.path("confidence").asDouble()).isEqualTo(9.0 / 11);
        int executions = 0;
        for (JsonNode step : run.path("trace").path("steps")) {
            if (step.path("kind").asString().equals("execute")
                    && !step.path("name").asString().startsWith("parse")) {
                executions++;
                assertThat(step.path("notes").path("results")).hasSize(4 + 3);
            }
        }
        assertThat(executions).isEqualTo(11);
        // problem, draft, samples, test inputs, examples and client test: 5 parses, then 11 candidates
        assertThat(run.path("usage").path("code_executions").asInt()).isEqualTo(5 + 11);
    }
}
