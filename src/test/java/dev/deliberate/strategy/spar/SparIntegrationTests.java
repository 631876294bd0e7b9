package dev.deliberate.strategy.spar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.api.ApiIntegrationTest;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import dev.deliberate.testkit.JsonRequests;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The shipped {@code spar} and {@code spar-dfs} profiles through both APIs, against the fake backend. */
class SparIntegrationTests extends ApiIntegrationTest {

    private static final String INSTRUCTION = "Write one line about rain, in lower case, that mentions a roof.";
    private static final String FIRST = "Rain falls. The End.";
    private static final String CLOSER = "rain on the window";
    private static final String GOOD = "rain taps the roof";

    /**
     * One model in all three roles, told apart by the prompt: the actor's answer fails, its refinements fail too, and
     * refining one of those gives a line the judge accepts.
     */
    private static Reply model() {
        return Reply.text((request, choice, call) -> {
            JsonNode messages = request.path("messages");
            String first = messages.get(0).path("content").asString();
            String last = messages.get(messages.size() - 1).path("content").asString();
            if (last.startsWith("## Judge:")) {
                String response = SparModel.response(last);
                return response.equals(GOOD)
                        ? "Lower case, one line, mentions a roof.\nFinal Judgement: Yes"
                        : "It does not mention a roof.\nFinal Judgement: No";
            }
            if (last.startsWith("## Refine:")) {
                return SparModel.refined(SparModel.response(first).equals(FIRST) ? CLOSER : GOOD);
            }
            return FIRST;
        });
    }

    private JsonNode post(String uri, Object body) {
        return new JsonRequests(client).post(uri, body, 200);
    }

    @Test
    void chatCompletionsAnswersWithTheRefinedResponse() {
        BACKEND.defaultReply(model());

        JsonNode reply = post(
                "/v1/chat/completions",
                Map.of("model", "spar", "messages", List.of(Map.of("role", "user", "content", INSTRUCTION))));

        assertThat(reply.path("choices").get(0).path("message").path("content").asString())
                .isEqualTo(GOOD);
        assertThat(reply.path("deliberate").path("strategy").asString()).isEqualTo("spar");
        assertThat(reply.path("deliberate").path("confidence").asDouble()).isEqualTo(1.0);
        // actor, judge; 3 refinements (one text: judged once); 6 refinements of the kept two (judged once)
        assertThat(BACKEND.calls()).isEqualTo(1 + 1 + 3 + 1 + 6 + 1);
        assertThat(BACKEND.requests().stream().filter(r -> r.path("n").asInt(1) == 5))
                .hasSize(3);
    }

    @Test
    void reasonReturnsATraceThatReconstructsTheDepthFirstTree() {
        BACKEND.defaultReply(model());

        JsonNode run = post(
                "/v1/reason", Map.of("profile", "spar-dfs", "problem", Map.of("text", INSTRUCTION, "kind", "text")));

        assertThat(run.path("status").asString()).isEqualTo("succeeded");
        assertThat(run.path("answer").asString()).isEqualTo(GOOD);
        assertThat(run.path("confidence").asDouble()).isEqualTo(1.0);
        assertThat(run.path("notes").path("search").asString()).isEqualTo("dfs");
        assertThat(run.path("notes").path("searched").asBoolean()).isTrue();
        assertThat(run.path("notes").path("chosen").asInt()).isEqualTo(4);
        assertThat(run.path("notes").path("depth").asInt()).isEqualTo(2);
        // depth first: only the first child is expanded, so 3 refinements fewer than breadth first
        assertThat(BACKEND.calls()).isEqualTo(1 + 1 + 3 + 1 + 3 + 1);
        List<String> tree = new ArrayList<>();
        List<Boolean> cached = new ArrayList<>();
        for (JsonNode step : run.path("trace").path("steps")) {
            JsonNode notes = step.path("notes");
            if (step.path("kind").asString().equals("group")
                    && step.path("name").asString().equals("node")) {
                tree.add(notes.path("id").asInt() + "<" + notes.path("parent").asInt(-1) + "@"
                        + notes.path("depth").asInt() + "="
                        + notes.path("value").asDouble());
            }
            if (step.path("kind").asString().equals("judge")) {
                cached.add(notes.path("cached").asBoolean());
            }
        }
        assertThat(tree)
                .containsExactly(
                        "0<-1@0=0.0", "1<0@1=0.0", "2<0@1=0.0", "3<0@1=0.0", "4<1@2=1.0", "5<1@2=1.0", "6<1@2=1.0");
        assertThat(cached).containsExactly(false, false, true, true, false, true, true);
        JsonNode root = run.path("trace").path("steps").get(1);
        assertThat(root.path("notes").path("critique").asString())
                .isEqualTo("It does not mention a roof.\nFinal Judgement: No");
        assertThat(root.path("notes").path("votes").path("no").asInt()).isEqualTo(5);
    }
}
