package dev.deliberate.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Guards {@code /v1/**} before any body is read: the API key (when keys are configured) and the declared body size.
 * A body without a declared length is capped by the codecs' in-memory limit instead (also a 413).
 */
public final class RequestGuard implements WebFilter {

    private final List<byte[]> apiKeys;
    private final long maxBodyBytes;
    private final HttpReplies replies;

    public RequestGuard(List<String> apiKeys, long maxBodyBytes, HttpReplies replies) {
        this.apiKeys =
                apiKeys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.maxBodyBytes = maxBodyBytes;
        this.replies = replies;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith("/v1/")) {
            return chain.filter(exchange);
        }
        if (!apiKeys.isEmpty() && !authorized(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION))) {
            return replies.error(
                    exchange.getResponse(),
                    new ErrorReply(
                            401,
                            ApiError.of(
                                    "missing or invalid API key; send Authorization: Bearer <key>",
                                    "authentication_error",
                                    null,
                                    "invalid_api_key"),
                            null));
        }
        long length = exchange.getRequest().getHeaders().getContentLength();
        if (length > maxBodyBytes) {
            return replies.error(exchange.getResponse(), ErrorReply.tooLarge());
        }
        return chain.filter(exchange);
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : apiKeys) {
            // Constant-time comparison, and no early exit across keys.
            match |= MessageDigest.isEqual(key, presented);
        }
        return match;
    }
}
