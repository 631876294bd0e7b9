package dev.deliberate.api;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Renders every failure of the API in the OpenAI error shape, ahead of Boot's default error handler. The API is every
 * path but the {@linkplain RequestGuard#isOpen open} ones (actuator, OpenAPI), decided on the parsed path the router
 * matches, so that {@code /%761/models} fails as {@code /v1/models} does. Failures after a stream began never reach
 * this handler: they are sent as the stream's last event.
 */
@Component
@Order(-2)
public final class ApiErrorHandler implements WebExceptionHandler {

    private final HttpReplies replies;

    public ApiErrorHandler(HttpReplies replies) {
        this.replies = replies;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted() || RequestGuard.isOpen(exchange.getRequest())) {
            return Mono.error(error);
        }
        return replies.error(exchange.getResponse(), ErrorReply.of(error));
    }
}
