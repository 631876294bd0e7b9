package dev.deliberate.testkit;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON requests to the service under test that expect one status and return the parsed body. */
public final class JsonRequests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebTestClient client;

    public JsonRequests(WebTestClient client) {
        this.client = client;
    }

    public JsonNode post(String uri, Object body) {
        return post(uri, body, 200);
    }

    public JsonNode post(String uri, Object body, int status) {
        return JSON.readTree(client.post()
                .uri(uri)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectBody()
                .returnResult()
                .getResponseBody());
    }

    public JsonNode get(String uri, int status) {
        return JSON.readTree(client.get()
                .uri(uri)
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectBody()
                .returnResult()
                .getResponseBody());
    }
}
