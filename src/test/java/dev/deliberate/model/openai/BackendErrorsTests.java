package dev.deliberate.model.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Secret;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.databind.json.JsonMapper;

class BackendErrorsTests {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final String KEY = "sk-live-secret-0123456789";

    private final BackendErrors errors =
            new BackendErrors("local", new Secret(KEY), JsonMapper.builder().build(), Clock.fixed(NOW, ZoneOffset.UTC));

    private static HttpHeaders headers(String name, String value) {
        HttpHeaders headers = new HttpHeaders();
        headers.add(name, value);
        return headers;
    }

    private BackendException rejection(String body) {
        return errors.fromStatus(400, headers(HttpHeaders.CONTENT_TYPE, "application/json"), body);
    }

    @Test
    void anInBandContextOverflowIsARejectionAndAnyOtherInBandErrorABadReply() {
        JsonMapper json = JsonMapper.builder().build();

        BackendException overflow = errors.inBand(json.readTree(
                "{\"error\":{\"message\":\"This model's maximum context length is 4096 tokens\",\"code\":400}}"));
        BackendException other =
                errors.inBand(json.readTree("{\"error\":{\"message\":\"CUDA out of memory\",\"code\":500}}"));

        assertThat(overflow).isInstanceOf(BackendException.Rejected.class);
        assertThat(((BackendException.Rejected) overflow).contextOverflow()).isTrue();
        assertThat(overflow.getMessage())
                .isEqualTo("local: backend reported an error in its reply: This model's maximum context length is 4096"
                        + " tokens");
        assertThat(other).isInstanceOf(BackendException.BadReply.class);
    }

    @Test
    void readsRetryAfterAsSecondsAsHttpDateAndAsMilliseconds() {
        assertThat(errors.retryAfter(headers("Retry-After", "12"))).isEqualTo(Duration.ofSeconds(12));
        assertThat(errors.retryAfter(headers("Retry-After", "Sun, 01 Jun 2025 12:00:30 GMT")))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(errors.retryAfter(headers("Retry-After", "Sun, 01 Jun 2025 11:00:00 GMT")))
                .isEqualTo(Duration.ZERO);
        assertThat(errors.retryAfter(headers("retry-after-ms", "1500"))).isEqualTo(Duration.ofMillis(1500));
        assertThat(errors.retryAfter(headers("Retry-After", "soon"))).isNull();
        assertThat(errors.retryAfter(new HttpHeaders())).isNull();
    }

    @Test
    void recognisesContextOverflowInTheWordingOfEachServer() {
        assertThat(rejection(
                        "{\"error\":{\"message\":\"the request exceeds the available context size, try increasing it\","
                                + "\"type\":\"exceed_context_size_error\",\"code\":400}}"))
                .satisfies(e -> assertThat(((BackendException.Rejected) e).contextOverflow())
                        .isTrue());
        assertThat(rejection("{\"object\":\"error\",\"message\":\"This model's maximum context length is 2048"
                        + " tokens. However, you requested 3000 tokens\",\"type\":\"BadRequestError\",\"code\":400}"))
                .satisfies(e -> assertThat(((BackendException.Rejected) e).contextOverflow())
                        .isTrue());
        assertThat(rejection("{\"error\":{\"message\":\"bad\",\"code\":\"context_length_exceeded\"}}"))
                .satisfies(e -> assertThat(((BackendException.Rejected) e).contextOverflow())
                        .isTrue());
        assertThat(rejection("{\"detail\":\"Input is too long for this model's context window\"}"))
                .satisfies(e -> assertThat(((BackendException.Rejected) e).contextOverflow())
                        .isTrue());
        assertThat(rejection("{\"error\":{\"message\":\"temperature must be non-negative\"}}"))
                .satisfies(e -> assertThat(((BackendException.Rejected) e).contextOverflow())
                        .isFalse());
    }

    @Test
    void readsTheOldVllmErrorShape() {
        BackendException error = rejection("{\"object\":\"error\",\"message\":\"unknown model\",\"code\":404}");

        assertThat(error.getMessage()).isEqualTo("local: backend answered HTTP 400: unknown model");
    }

    @Test
    void masksTheKeyAndBearerTokensAndCutsLongMessages() {
        String longMessage = "Invalid key " + KEY + " (header Bearer abc.def) " + "x".repeat(300);

        BackendException error = errors.fromStatus(401, headers(HttpHeaders.CONTENT_TYPE, "text/plain"), longMessage);

        String upstream = error.getMessage().substring("local: backend answered HTTP 401: ".length());
        assertThat(upstream)
                .startsWith("Invalid key **** (header Bearer ****) xxx")
                .endsWith("...");
        assertThat(upstream).hasSize(BackendErrors.MAX_UPSTREAM_CHARS + 3);
        assertThat(error.getMessage()).doesNotContain(KEY);
    }

    @Test
    void namesTheTitleOfAnHtmlPage() {
        HttpHeaders html = new HttpHeaders();
        html.setContentType(MediaType.TEXT_HTML);

        BackendException error = errors.fromStatus(
                503, html, "<html><head><title>Service\n Unavailable</title></head><body>...</body></html>");

        assertThat(error).isInstanceOf(BackendException.Unavailable.class);
        assertThat(error.getMessage()).isEqualTo("local: backend answered HTTP 503: HTML page \"Service Unavailable\"");
    }

    @Test
    void classifiesTransportFailures() {
        BackendException closed = errors.classify(PrematureCloseException.TEST_EXCEPTION);
        BackendException reset = errors.classify(new IOException("Connection reset by peer"));
        BackendException bug = errors.classify(new IllegalStateException("boom"));
        BackendException passed = errors.classify(new BackendException.Timeout("local", "total"));

        assertThat(closed).isInstanceOf(BackendException.Unavailable.class);
        assertThat(closed.retriable()).isTrue();
        assertThat(reset.getMessage()).isEqualTo("local: connection failed: IOException: Connection reset by peer");
        assertThat(reset.retriable()).isTrue();
        assertThat(bug.getMessage()).isEqualTo("local: unexpected failure: IllegalStateException: boom");
        assertThat(bug.retriable()).isFalse();
        assertThat(passed.getMessage()).isEqualTo("local: total");
    }
}
