package dev.deliberate.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Guards every path except the few {@linkplain #isOpen open} ones, before any body is read: the API key (when keys
 * are configured), the path's shape and the declared body size. A body without a declared length is capped by the
 * codecs' in-memory limit instead (also a 413).
 *
 * <p>Paths are matched as the router matches them: parsed into segments, {@code ;matrix} parameters dropped and
 * {@code %xx} decoded. A check of the raw string would let {@code /v1;x/models} or {@code /%761/models} through
 * unguarded while still reaching the {@code /v1/models} handler.
 */
public final class RequestGuard implements WebFilter {

    /** Open without a key: probes, metrics and the OpenAPI document, as exposed in application.yaml. */
    private static final List<PathPattern> OPEN = Stream.of(
                    "/actuator",
                    "/actuator/health/**",
                    "/actuator/info",
                    "/actuator/prometheus",
                    "/actuator/metrics/**",
                    "/v3/api-docs/**",
                    "/v3/api-docs.yaml")
            .map(PathPatternParser.defaultInstance::parse)
            .toList();

    /**
     * springdoc builds the document under a lock, and a request that arrives while its startup build still holds
     * that lock would park an event-loop thread; these requests run where waiting is allowed.
     */
    private static final List<PathPattern> BLOCKING = Stream.of("/v3/api-docs/**", "/v3/api-docs.yaml")
            .map(PathPatternParser.defaultInstance::parse)
            .toList();

    private final List<byte[]> apiKeys;
    private final long maxBodyBytes;
    private final HttpReplies replies;

    public RequestGuard(List<String> apiKeys, long maxBodyBytes, HttpReplies replies) {
        this.apiKeys =
                apiKeys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.maxBodyBytes = maxBodyBytes;
        this.replies = replies;
    }

    /**
     * Whether the request is for an open path, decided on the parsed path the router matches (same parser, same
     * decoding), so that no spelling of an API path can look open here yet reach an API handler.
     */
    static boolean isOpen(ServerHttpRequest request) {
        PathContainer path = request.getPath().pathWithinApplication();
        for (PathPattern pattern : OPEN) {
            if (pattern.matches(path)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (isOpen(request)) {
            PathContainer path = request.getPath().pathWithinApplication();
            return BLOCKING.stream().anyMatch(pattern -> pattern.matches(path))
                    ? chain.filter(exchange).subscribeOn(Schedulers.boundedElastic())
                    : chain.filter(exchange);
        }
        if (!apiKeys.isEmpty() && !authorized(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION))) {
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
        if (ambiguous(request.getPath().pathWithinApplication().value())) {
            return replies.error(
                    exchange.getResponse(),
                    new ErrorReply(
                            400,
                            ApiError.of(
                                    "the path may not contain ';', '%2F' or '%5C'",
                                    "invalid_request_error", null, "invalid_path"),
                            null));
        }
        long length = request.getHeaders().getContentLength();
        if (length > maxBodyBytes) {
            return replies.error(exchange.getResponse(), ErrorReply.tooLarge());
        }
        return chain.filter(exchange);
    }

    /**
     * No API path needs matrix parameters or an encoded slash or backslash (names and ids are {@code [a-z0-9-]}),
     * and a proxy in front may read such a path differently from the router; refusing them leaves one reading.
     */
    private static boolean ambiguous(String rawPath) {
        String lower = rawPath.toLowerCase(Locale.ROOT);
        return lower.indexOf(';') >= 0 || lower.contains("%2f") || lower.contains("%5c");
    }

    private boolean authorized(@Nullable String header) {
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
