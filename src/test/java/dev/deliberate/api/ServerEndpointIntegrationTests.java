package dev.deliberate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A second endpoint of kind {@code langchain4j-openai} (LangChain4j's blocking client on the bounded scheduler) and a
 * profile from a directory that uses it, end to end. BlockHound watches the whole path.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ServerEndpointIntegrationTests {

    private static final FakeOpenAiServer LOCAL = FakeOpenAiServer.start();
    private static final FakeOpenAiServer SERVER = FakeOpenAiServer.start();
    private static final Path PROFILES = profiles();

    @Autowired
    WebTestClient client;

    private static Path profiles() {
        try {
            Path dir = Files.createTempDirectory("profiles");
            Files.writeString(dir.resolve("remote.yaml"), """
                    description: Self-consistency on the server model.
                    strategy: self-consistency
                    roles:
                      solver: server
                    params:
                      n: 3
                    """);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("deliberate.endpoints.local.base-url", LOCAL::baseUrl);
        registry.add("deliberate.endpoints.server.kind", () -> "langchain4j-openai");
        registry.add("deliberate.endpoints.server.base-url", SERVER::baseUrl);
        registry.add("deliberate.endpoints.server.model", () -> "big-model");
        registry.add("deliberate.endpoints.server.api-key", () -> "sk-server-canary");
        registry.add("deliberate.profiles-dir", PROFILES::toString);
    }

    @AfterAll
    static void stop() {
        LOCAL.close();
        SERVER.close();
    }

    @Test
    void aProfileOnTheServerEndpointFansOutThroughLangChain4j() {
        SERVER.defaultReply(Reply.texts("The answer is 7.", "The answer is 7.", "The answer is 8."));
        int localProbes = LOCAL.calls();

        client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "remote", "messages", List.of(Map.of("role", "user", "content", "3+4?"))))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.deliberate.answer")
                .isEqualTo("7")
                .jsonPath("$.deliberate.model_calls")
                .isEqualTo(3)
                .jsonPath("$.deliberate.confidence")
                .value(confidence ->
                        assertThat(((Number) confidence).doubleValue()).isEqualTo(2.0 / 3));

        assertThat(SERVER.calls()).isEqualTo(3);
        assertThat(SERVER.requests()).allSatisfy(body -> {
            assertThat(body.path("model").asString()).isEqualTo("big-model");
            assertThat(body.has("n")).isFalse();
        });
        assertThat(SERVER.lastRequest().header("authorization")).isEqualTo("Bearer sk-server-canary");
        assertThat(LOCAL.calls())
                .as("only the start-up probe reached the local endpoint")
                .isEqualTo(localProbes);
    }

    @Test
    void profilesShowTheServerEndpointWithoutItsKey() {
        client.get()
                .uri("/v1/profiles")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.data[?(@.name == 'remote')].roles.solver.kind")
                .isEqualTo("langchain4j-openai")
                .jsonPath("$.data[?(@.name == 'remote')].roles.solver.model")
                .isEqualTo("big-model")
                .consumeWith(result ->
                        assertThat(new String(result.getResponseBody())).doesNotContain("sk-server"));
    }
}
