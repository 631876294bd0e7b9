package dev.deliberate.config;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.model.resilience.ResilientEndpoint;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Shows each endpoint's capabilities and circuit state under {@code /actuator/health}. The service stays UP while a
 * backend is down: it still answers (with 503s and escalations), and restarting it would not bring the backend back.
 */
@Component("endpoints")
class EndpointsHealthIndicator implements HealthIndicator {

    private final EndpointRegistry endpoints;

    EndpointsHealthIndicator(EndpointRegistry endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        for (Endpoint endpoint : endpoints.all()) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("kind", endpoint.kind());
            details.put("model", endpoint.model());
            Capabilities capabilities = endpoint.capabilities();
            details.put(
                    "capabilities",
                    Map.of(
                            "multiple_choices", capabilities.multipleChoices(),
                            "logprobs", capabilities.logprobs(),
                            "max_top_logprobs", capabilities.maxTopLogprobs(),
                            "source", capabilities.source().name().toLowerCase(Locale.ROOT)));
            if (endpoint instanceof ResilientEndpoint resilient) {
                details.put("circuit", resilient.breakerState().toLowerCase(Locale.ROOT));
                details.put("in_flight", resilient.inFlight());
                details.put("queued", resilient.queued());
            }
            health.withDetail(endpoint.name(), details);
        }
        return health.build();
    }
}
