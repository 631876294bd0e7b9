package dev.deliberate.config;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationChunk;
import dev.deliberate.model.GenerationRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Another name for an endpoint: {@code local} served by the embedded model, which is loaded once. The alias owns
 * nothing; the target's resources are released with the target.
 */
record EndpointAlias(String name, Endpoint target) implements Endpoint {

    @Override
    public String kind() {
        return target.kind();
    }

    @Override
    public String model() {
        return target.model();
    }

    @Override
    public Mono<Generation> generate(GenerationRequest request) {
        return target.generate(request);
    }

    @Override
    public Flux<GenerationChunk> stream(GenerationRequest request) {
        return target.stream(request);
    }

    @Override
    public Capabilities capabilities() {
        return target.capabilities();
    }
}
