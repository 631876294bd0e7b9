package dev.deliberate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class RequestGuardTests {

    private final RequestGuard guard = new RequestGuard(
            List.of(),
            1024,
            new HttpReplies(tools.jackson.databind.json.JsonMapper.builder().build()));

    /** The thread the rest of the chain (the handler) ran on, for a GET of {@code path} from an event loop. */
    private String handlerThreadFor(String path) {
        AtomicReference<String> thread = new AtomicReference<>();
        WebFilterChain chain = exchange ->
                Mono.fromRunnable(() -> thread.set(Thread.currentThread().getName()));
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(path));

        StepVerifier.create(Mono.defer(() -> guard.filter(exchange, chain)).subscribeOn(Schedulers.parallel()))
                .verifyComplete();
        return thread.get();
    }

    @Test
    void theOpenApiDocumentIsServedWhereWaitingForSpringdocsLockIsAllowed() {
        assertThat(handlerThreadFor("/v3/api-docs")).startsWith("boundedElastic");
        assertThat(handlerThreadFor("/v3/api-docs/swagger-config")).startsWith("boundedElastic");
    }

    @Test
    void everyOtherPathStaysOnTheThreadItArrivedOn() {
        assertThat(handlerThreadFor("/actuator/health")).startsWith("parallel");
        assertThat(handlerThreadFor("/v1/models")).startsWith("parallel");
    }
}
