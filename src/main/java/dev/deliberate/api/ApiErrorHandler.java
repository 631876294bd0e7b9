package dev.deliberate.api;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Renders every failure of the {@code /v1} API in the OpenAI error shape, ahead of Boot's default error handler.
 * Failures after a stream began never reach this handler: they are sent as the stream's last event.
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
        if (exchange.getResponse().isCommitted()
                || !exchange.getRequest().getPath().value().startsWith("/v1")) {
            return Mono.error(error);
        }
        return replies.error(exchange.getResponse(), ErrorReply.of(error));
    }
}
