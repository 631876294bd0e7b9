package dev.deliberate.model;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The configured endpoints by name. Built once at startup; immutable after. */
public final class EndpointRegistry {

    private final Map<String, Endpoint> endpoints;

    public EndpointRegistry(Collection<? extends Endpoint> endpoints) {
        var byName = new LinkedHashMap<String, Endpoint>();
        for (Endpoint endpoint : endpoints) {
            if (byName.put(endpoint.name(), endpoint) != null) {
                throw new IllegalArgumentException("duplicate endpoint name: " + endpoint.name());
            }
        }
        this.endpoints = Map.copyOf(byName);
    }

    public Optional<Endpoint> find(String name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    public Collection<Endpoint> all() {
        return endpoints.values();
    }
}
