package dev.deliberate.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.testkit.FakeOpenAiServer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** With API keys configured, every path but the open operational ones needs one, however the path is spelt. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ApiKeyIntegrationTests {

    private static final FakeOpenAiServer BACKEND = FakeOpenAiServer.start();

    @Autowired
    WebTestClient client;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("deliberate.endpoints.local.base-url", BACKEND::baseUrl);
        registry.add("deliberate.security.api-keys", () -> "key-one,key-two");
    }

    @BeforeEach
    void forgetTheStartupProbe() {
        BACKEND.reset();
    }

    @AfterAll
    static void stop() {
        BACKEND.close();
    }

    /** A 401 in the OpenAI error shape, as the SDKs read it. */
    private static void invalidKey(WebTestClient.ResponseSpec response) {
        response.expectStatus()
                .isUnauthorized()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("authentication_error")
                .jsonPath("$.error.code")
                .isEqualTo("invalid_api_key");
    }

    @Test
    void requestsWithoutAValidKeyGet401InTheOpenAiShape() {
        client.get().uri("/v1/models").exchange().expectAll(ApiKeyIntegrationTests::invalidKey);
        client.get()
                .uri("/v1/models")
                .header("Authorization", "Bearer key-three")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client.post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "direct", "messages", List.of(Map.of("role", "user", "content", "x"))))
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    @Test
    void aValidKeyIsAcceptedAndHealthNeedsNone() {
        client.get()
                .uri("/v1/models")
                .header("Authorization", "Bearer key-two")
                .exchange()
                .expectStatus()
                .isOk();
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1;x/models",
                "/v1;/models",
                "/%761/models",
                "/%76%31/models",
                "/v1;/profiles",
                "/v1/models;x",
                "/v1/runs;x/abc",
                "/V1/models",
                "/actuator;x/../v1/models"
            })
    void pathsTheRouterNormalisesStillNeedAKey(String path) {
        client.get()
                .uri(raw(path))
                .exchange()
                .expectAll(ApiKeyIntegrationTests::invalidKey)
                .expectHeader()
                .contentType(MediaType.APPLICATION_JSON);

        assertThat(BACKEND.calls()).isZero();
        assertThat(BACKEND.modelsCalls()).isZero();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1;x/chat/completions",
                "/v1/chat;x/completions",
                "/%761/chat/completions",
                "/v1/chat/%63ompletions",
                "/v1;x/reason"
            })
    void postsToNormalisedPathsNeedAKeyAndNeverReachTheBackend(String path) {
        client.post()
                .uri(raw(path))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "direct", "messages", List.of(Map.of("role", "user", "content", "x"))))
                .exchange()
                .expectAll(ApiKeyIntegrationTests::invalidKey);

        assertThat(BACKEND.calls()).isZero();
    }

    @Test
    void anEncodedPathThatFailsWithAKeyGetsAnOpenAiShapedErrorNotA500() {
        client.get()
                .uri(raw("/%761/models/no-such-profile"))
                .header("Authorization", "Bearer key-one")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .contentType(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("invalid_request_error")
                .jsonPath("$.error.code")
                .isEqualTo("model_not_found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1;x/models", "/v1/models;x", "/v1/models/a%2Fb", "/v1/models/a%2fb", "/v1/models/a%5Cb"})
    void aPathWithMatrixParametersOrEncodedSlashesIsRefusedEvenWithAKey(String path) {
        client.get()
                .uri(raw(path))
                .header("Authorization", "Bearer key-one")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("invalid_request_error")
                .jsonPath("$.error.code")
                .isEqualTo("invalid_path");

        assertThat(BACKEND.calls()).isZero();
    }

    @Test
    void pathsOutsideTheOpenListNeedAKeyEvenWhenNoHandlerServesThem() {
        client.get()
                .uri("/not-an-endpoint")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("invalid_api_key");
        client.get()
                .uri("/not-an-endpoint")
                .header("Authorization", "Bearer key-one")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("invalid_request_error");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/actuator",
                "/actuator/health",
                "/actuator/health;x",
                "/actuator/info",
                "/actuator/prometheus",
                "/actuator/metrics",
                "/v3/api-docs"
            })
    void operationalPathsStayOpenWithoutAKey(String path) {
        client.get().uri(raw(path)).exchange().expectStatus().isOk();
    }

    @Test
    void dotSegmentsUnderAnOpenPathAreNotResolvedIntoTheApi() {
        // The router does not resolve "..", so this is a (failing) health lookup, never GET /v1/models.
        client.get()
                .uri(raw("/actuator/health/../../v1/models"))
                .exchange()
                .expectStatus()
                .value(status -> assertThat(status).isNotEqualTo(200))
                .expectBody()
                .jsonPath("$.object")
                .doesNotExist();
    }

    private URI raw(String path) {
        // Built by hand: a URI template would encode the '%' and ';' these tests are about.
        return URI.create("http://localhost:" + port + path);
    }
}
