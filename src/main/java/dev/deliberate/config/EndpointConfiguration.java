package dev.deliberate.config;

import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.djl.DjlEndpoint;
import dev.deliberate.model.embedded.EmbeddedModel;
import dev.deliberate.model.langchain4j.LangChain4jEndpoint;
import dev.deliberate.model.openai.OpenAiEndpoint;
import dev.deliberate.model.resilience.ResilientEndpoint;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Builds the endpoints from {@code deliberate.endpoints.*}: the kind's client, wrapped in the resilience decorator.
 * Capabilities not configured are probed here, before profiles are validated against them; where the backend was
 * down, they are probed again in the background until it answers.
 */
@Configuration(proxyBeanMethods = false)
class EndpointConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EndpointConfiguration.class);
    private static final String LOCAL = "local";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    /** Blocking provider clients run here, never on an event-loop thread. */
    @Bean(destroyMethod = "dispose")
    Scheduler blockingScheduler(DeliberateProperties properties) {
        return Schedulers.newBoundedElastic(
                properties.blocking().threads(), properties.blocking().queue(), "deliberate-blocking");
    }

    /** What the endpoints hold open (connection pools, re-probe loops), released when the context closes. */
    @Bean(destroyMethod = "dispose")
    Disposable.Composite endpointResources() {
        return Disposables.composite();
    }

    @Bean
    EndpointRegistry endpointRegistry(
            DeliberateProperties properties,
            Scheduler blockingScheduler,
            MeterRegistry meters,
            Disposable.Composite endpointResources) {
        List<Endpoint> endpoints = new ArrayList<>();
        DjlEndpoint embedded = null;
        EndpointSettings embeddedSettings = null;
        if (properties.embedded().enabled() && !properties.endpoints().containsKey(EmbeddedModel.NAME)) {
            long started = System.nanoTime();
            embeddedSettings = EmbeddedModel.settings(EmbeddedModel.extract());
            embedded = DjlEndpoint.load(EmbeddedModel.NAME, embeddedSettings);
            endpointResources.add(embedded::close);
            log.info(
                    "endpoint {}: djl model {} on {}, loaded in {} ms (deliberate.embedded.enabled=false turns it off)",
                    EmbeddedModel.NAME,
                    embedded.model(),
                    embedded.device(),
                    (System.nanoTime() - started) / 1_000_000);
            endpoints.add(new ResilientEndpoint(embedded, embeddedSettings, meters));
        }
        for (Map.Entry<String, EndpointSettings> entry : properties.endpoints().entrySet()) {
            String name = entry.getKey();
            EndpointSettings settings = entry.getValue();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException(
                        "deliberate.endpoints." + name + ": an endpoint name must match " + NAME.pattern());
            }
            if (embedded != null && embeddedSettings != null && standsInForLocal(name, settings)) {
                log.info("endpoint {}: no base-url configured, so it is the embedded model", name);
                endpoints.add(new ResilientEndpoint(new EndpointAlias(name, embedded), embeddedSettings, meters));
                continue;
            }
            Endpoint client = client(name, settings, blockingScheduler);
            if (client instanceof DjlEndpoint djl) {
                endpointResources.add(djl::close);
                log.info("endpoint {}: djl model {} on {}", name, djl.model(), djl.device());
            }
            if (client instanceof OpenAiEndpoint openAi) {
                endpointResources.add(openAi::close);
                DeliberateProperties.Probe probe = properties.probe();
                if (probe.enabled()) {
                    probe(openAi, probe.timeout());
                    if (!probe.retryInterval().isZero()) {
                        // A no-op unless the probe left capabilities assumed; the loop is disposed by close().
                        openAi.reprobeWhileAssumed(probe.retryInterval(), Schedulers.parallel());
                    }
                }
            }
            endpoints.add(new ResilientEndpoint(client, settings, meters));
        }
        return new EndpointRegistry(endpoints);
    }

    /**
     * Whether the embedded model serves {@code name}: the shipped profiles use {@code local}, which is an openai
     * endpoint waiting for a base-url until the user points it at a server.
     */
    private static boolean standsInForLocal(String name, EndpointSettings settings) {
        return name.equals(LOCAL) && settings.kind().equals(EndpointSettings.OPENAI) && settings.baseUrl() == null;
    }

    private static Endpoint client(String name, EndpointSettings settings, Scheduler blockingScheduler) {
        String field = "deliberate.endpoints." + name;
        return switch (settings.kind()) {
            case EndpointSettings.OPENAI -> {
                if (settings.baseUrl() == null) {
                    throw new IllegalStateException(field + ".base-url: required for kind openai"
                            + (name.equals(LOCAL)
                                    ? " (or deliberate.embedded.enabled=true for the embedded model)"
                                    : ""));
                }
                yield new OpenAiEndpoint(name, settings, WebClient.builder());
            }
            case EndpointSettings.LANGCHAIN4J_OPENAI -> LangChain4jEndpoint.openAi(name, settings, blockingScheduler);
            case EndpointSettings.LANGCHAIN4J_ANTHROPIC ->
                LangChain4jEndpoint.anthropic(name, settings, blockingScheduler);
            // Loads the weights here, at startup on the main thread; decoding runs on the endpoint's own threads.
            case EndpointSettings.DJL -> DjlEndpoint.load(name, settings);
            default ->
                throw new IllegalStateException(field + ".kind: unknown kind '" + settings.kind()
                        + "'; known: openai, langchain4j-openai, langchain4j-anthropic, djl");
        };
    }

    /** Startup runs on the main thread, so waiting here blocks no event loop; a dead backend costs one timeout. */
    private static void probe(OpenAiEndpoint endpoint, Duration timeout) {
        try {
            endpoint.probe().block(timeout.plusSeconds(1));
        } catch (RuntimeException e) {
            log.warn(
                    "endpoint {}: capability probe did not finish ({}); assuming minimal capabilities",
                    endpoint.name(),
                    e.getClass().getSimpleName());
        }
    }
}
