package dev.deliberate.testkit;

import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON requests to the service under test that expect one status and return the parsed body. */
public final class JsonRequests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebTestClient client;

    public JsonRequests(WebTestClient client) {
        this.client = client;
    }

    /**
     * {@code client} with a new connection for every request. Full-suite runs show a rare request that gets no
     * response for 20 s (docs/architecture.md, "Known issues"); the test clients of every cached context share Reactor
     * Netty's global connection pool, so no integration test depends on a connection another test used.
     */
    public static WebTestClient freshConnections(WebTestClient client) {
        return client.mutate()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.newConnection()))
                .build();
    }

    public JsonNode post(String uri, Object body) {
        return post(uri, body, 200);
    }

    public JsonNode post(String uri, Object body, int status) {
        EntityExchangeResult<byte[]> result = client.post()
                .uri(uri)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectBody()
                .returnResult();
        byte[] reply = result.getResponseBody();
        // The body in the message: a wrong status alone says little about which limit or backend answered.
        if (result.getStatus().value() != status) {
            throw new AssertionError(
                    "POST " + uri + ": status " + result.getStatus().value() + ", expected " + status + "; body: "
                            + (reply == null ? "" : new String(reply, java.nio.charset.StandardCharsets.UTF_8)));
        }
        return JSON.readTree(reply);
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
