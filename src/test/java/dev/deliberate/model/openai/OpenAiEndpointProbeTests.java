package dev.deliberate.model.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Capabilities.Source;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.EndpointSettings.CapabilityOverrides;
import dev.deliberate.testkit.FakeOpenAiServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

class OpenAiEndpointProbeTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private FakeOpenAiServer server;
    private final List<OpenAiEndpoint> endpoints = new ArrayList<>();

    @BeforeEach
    void start() {
        server = FakeOpenAiServer.start();
    }

    @AfterEach
    void stop() {
        endpoints.forEach(OpenAiEndpoint::close);
        server.close();
    }

    private OpenAiEndpoint endpoint(URI baseUrl, CapabilityOverrides capabilities) {
        EndpointSettings settings =
                EndpointSettings.of("openai", baseUrl, "test-model").withCapabilities(capabilities);
        OpenAiEndpoint endpoint = new OpenAiEndpoint("local", settings, WebClient.builder());
        endpoints.add(endpoint);
        return endpoint;
    }

    private Capabilities probe(OpenAiEndpoint endpoint) {
        List<Capabilities> result = new ArrayList<>();
        StepVerifier.create(endpoint.probe()).consumeNextWith(result::add).verifyComplete();
        assertThat(endpoint.capabilities()).isEqualTo(result.get(0));
        return result.get(0);
    }

    @Test
    void beforeAProbeUnsetCapabilitiesAreAssumedConservatively() {
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), new CapabilityOverrides(null, true, null));

        Capabilities capabilities = endpoint.capabilities();

        assertThat(capabilities).isEqualTo(new Capabilities(false, true, 0, Source.ASSUMED));
        assertThat(server.calls()).isZero();
    }

    @Test
    void probesAFullFeaturedBackendWithOneTinyRequest() {
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), CapabilityOverrides.UNSET);

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities)
                .isEqualTo(new Capabilities(true, true, OpenAiEndpoint.PROBE_TOP_LOGPROBS, Source.PROBED));
        assertThat(server.calls()).isEqualTo(1);
        assertThat(server.lastRequest().body())
                .isEqualTo(JsonMapper.builder().build().readTree("""
                {"model":"test-model","messages":[{"role":"user","content":"Say OK."}],
                 "n":2,"temperature":0.0,"max_tokens":1,"logprobs":true,"top_logprobs":5}
                """));
    }

    @Test
    void backendRefusingMultipleChoicesIsProbedAgainWithOne() {
        server.multipleChoices(false);
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), CapabilityOverrides.UNSET);

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities)
                .isEqualTo(new Capabilities(false, true, OpenAiEndpoint.PROBE_TOP_LOGPROBS, Source.PROBED));
        assertThat(server.calls()).isEqualTo(2);
        assertThat(server.requests().get(1).has("n")).isFalse();
    }

    @Test
    void backendIgnoringNHasNoMultipleChoices() {
        server.ignoreN();
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), CapabilityOverrides.UNSET);

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities)
                .isEqualTo(new Capabilities(false, true, OpenAiEndpoint.PROBE_TOP_LOGPROBS, Source.PROBED));
        assertThat(server.calls()).isEqualTo(1);
    }

    @Test
    void backendOmittingLogprobsHasNone() {
        server.logprobs(false);
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), CapabilityOverrides.UNSET);

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities).isEqualTo(new Capabilities(true, false, 0, Source.PROBED));
    }

    @Test
    void backendReturningFewerAlternativesReportsWhatItReturned() {
        server.maxTopLogprobs(1);
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), CapabilityOverrides.UNSET);

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities).isEqualTo(new Capabilities(true, true, 1, Source.PROBED));
    }

    @Test
    void configuredValuesWinOverProbedOnes() {
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), new CapabilityOverrides(false, null, 20));

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities).isEqualTo(new Capabilities(false, true, 20, Source.PROBED));
    }

    @Test
    void deadBackendLeavesAssumedValuesWithoutFailing() throws IOException {
        URI dead = URI.create("http://127.0.0.1:" + OpenAiEndpointTests.closedPort() + "/v1");
        OpenAiEndpoint endpoint = endpoint(dead, new CapabilityOverrides(true, null, null));

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities).isEqualTo(new Capabilities(true, false, 0, Source.ASSUMED));
    }

    @Test
    void unauthorizedProbeIsAFailureNotAnAnswer() {
        server.defaultReply(FakeOpenAiServer.Reply.failing(FakeOpenAiServer.Fault.UNAUTHORIZED));
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), CapabilityOverrides.UNSET);

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities).isEqualTo(Capabilities.assumedMinimal());
        assertThat(server.calls()).isEqualTo(1);
    }

    @Test
    void fullyConfiguredCapabilitiesSendNoProbe() {
        OpenAiEndpoint endpoint = endpoint(server.baseUri(), new CapabilityOverrides(true, false, 0));

        Capabilities capabilities = probe(endpoint);

        assertThat(capabilities).isEqualTo(new Capabilities(true, false, 0, Source.CONFIGURED));
        assertThat(server.calls()).isZero();
    }
}
