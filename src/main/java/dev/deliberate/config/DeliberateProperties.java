package dev.deliberate.config;

import dev.deliberate.model.EndpointSettings;
import dev.deliberate.model.Secret;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.sandbox.SandboxSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Everything under {@code deliberate.*}. Each value can be set in {@code application.yaml}, a Spring profile, an
 * environment variable ({@code DELIBERATE_ENDPOINTS_LOCAL_BASE_URL}) or the command line.
 *
 * @param endpoints model backends by name; profiles refer to them by that name
 * @param profilesDir a directory of {@code <name>.yaml} profiles added to (or replacing) the shipped ones
 * @param promptsDir a directory of {@code <strategy>/<name>.md} templates replacing shipped ones
 * @param embedded the embedded default model
 */
@ConfigurationProperties("deliberate")
public record DeliberateProperties(
        @Nullable Map<String, EndpointSettings> endpoints,
        @Nullable Path profilesDir,
        @Nullable Path promptsDir,
        @Nullable Limits limits,
        @Nullable Runs runs,
        @Nullable Security security,
        @Nullable Probe probe,
        @Nullable Blocking blocking,
        @Nullable Sandbox sandbox,
        @Nullable Embedded embedded) {

    public DeliberateProperties {
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
        profilesDir = profilesDir == null ? Path.of("strategies") : profilesDir;
        promptsDir = promptsDir == null ? Path.of("prompts") : promptsDir;
        limits = limits == null
                ? new Limits(null, null, null, null, null, null, null, null, null, null, null, null)
                : limits;
        runs = runs == null ? new Runs(null) : runs;
        security = security == null ? new Security(null) : security;
        probe = probe == null ? new Probe(null, null, null) : probe;
        blocking = blocking == null ? new Blocking(null, null) : blocking;
        sandbox = sandbox == null
                ? new Sandbox(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
                : sandbox;
        embedded = embedded == null ? new Embedded(null) : embedded;
    }

    /**
     * The project's own small model (docs/embedded-model.md), served as the endpoint {@code embedded}; an endpoint
     * {@code local} of kind openai without a {@code base-url} is then this model too, so that the shipped profiles
     * answer with nothing configured.
     *
     * @param enabled false: neither loaded nor registered (saves its memory and the engine's startup)
     */
    public record Embedded(@Nullable Boolean enabled) {
        public Embedded {
            enabled = enabled == null || enabled;
        }
    }

    /**
     * Server caps, enforced before any backend call. Profile budgets that set nothing get these values; client
     * overrides above them are refused with a 400.
     *
     * @param maxBody largest request body (413 above it)
     * @param maxMessages most messages in one request
     * @param maxChars most characters over all messages of one request
     * @param maxConcurrentRuns runs in progress at once; beyond it requests get 429 with Retry-After
     * @param streamHold how long a streamed chat completion holds its headers until the run's first step succeeds, so
     *     that an early failure still gets a real HTTP status; then the stream starts anyway, for clients and proxies
     *     that time out on a silent connection
     */
    public record Limits(
            @Nullable DataSize maxBody,
            @Nullable Integer maxMessages,
            @Nullable Integer maxChars,
            @Nullable Integer maxModelCalls,
            @Nullable Long maxTokens,
            @Nullable Duration maxDeadline,
            @Nullable Integer maxDepth,
            @Nullable Integer maxBreadth,
            @Nullable Integer maxCodeExecutions,
            @Nullable Integer maxConcurrentRuns,
            @Nullable Integer maxTokensPerCall,
            @Nullable Duration streamHold) {

        public Limits {
            maxBody = maxBody == null ? DataSize.ofMegabytes(1) : maxBody;
            maxMessages = maxMessages == null ? 256 : maxMessages;
            maxChars = maxChars == null ? 400_000 : maxChars;
            maxModelCalls = maxModelCalls == null ? 256 : maxModelCalls;
            maxTokens = maxTokens == null ? 400_000L : maxTokens;
            maxDeadline = maxDeadline == null ? Duration.ofMinutes(10) : maxDeadline;
            maxDepth = maxDepth == null ? 4 : maxDepth;
            maxBreadth = maxBreadth == null ? 64 : maxBreadth;
            maxCodeExecutions = maxCodeExecutions == null ? 256 : maxCodeExecutions;
            maxConcurrentRuns = maxConcurrentRuns == null ? 1024 : maxConcurrentRuns;
            maxTokensPerCall = maxTokensPerCall == null ? 32_768 : maxTokensPerCall;
            streamHold = streamHold == null ? Duration.ofSeconds(5) : streamHold;
            if (streamHold.isNegative()) {
                throw new IllegalArgumentException(
                        "deliberate.limits.stream-hold must not be negative, was " + streamHold);
            }
        }

        public BudgetLimits budgetCaps() {
            return new BudgetLimits(maxModelCalls, maxTokens, maxDeadline, maxDepth, maxBreadth, maxCodeExecutions);
        }
    }

    /** @param storeSize how many recent runs {@code GET /v1/runs/{id}} can still show */
    public record Runs(@Nullable Integer storeSize) {
        public Runs {
            storeSize = storeSize == null ? 1000 : storeSize;
        }
    }

    /**
     * @param apiKeys when not empty, every path but the open ones (actuator, OpenAPI) requires {@code Authorization:
     *     Bearer <one of them>}
     */
    public record Security(@Nullable List<Secret> apiKeys) {
        public Security {
            apiKeys = apiKeys == null
                    ? List.of()
                    : apiKeys.stream().filter(Secret::isPresent).toList();
        }
    }

    /**
     * Capability probing of endpoints at startup; a probe never blocks startup longer than {@code timeout}.
     *
     * @param retryInterval while a failed probe leaves capabilities assumed, the wait before probing again in the
     *     background (doubling after each failure, up to eight times this); {@code 0} turns re-probing off
     */
    public record Probe(
            @Nullable Boolean enabled,
            @Nullable Duration timeout,
            @Nullable Duration retryInterval) {
        public Probe {
            enabled = enabled == null ? Boolean.TRUE : enabled;
            timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
            retryInterval = retryInterval == null ? Duration.ofSeconds(30) : retryInterval;
            if (retryInterval.isNegative()) {
                throw new IllegalArgumentException(
                        "deliberate.probe.retry-interval must not be negative, was " + retryInterval);
            }
        }
    }

    /** The bounded scheduler for blocking clients (LangChain4j providers). */
    public record Blocking(
            @Nullable Integer threads, @Nullable Integer queue) {
        public Blocking {
            threads = threads == null ? 32 : threads;
            queue = queue == null ? 1000 : queue;
        }
    }

    /**
     * The Python sandbox for model-written code (docs/sandbox.md). Each box runs as {@code uid - k} for its slot
     * {@code k}; the rlimits are per process in the box and hard.
     *
     * @param enabled when false, code execution (FunCoder) reports itself unavailable
     * @param python Debian's interpreter, under {@code /usr} (the only system directory bound into the box)
     * @param cpu RLIMIT_CPU: the CPU time of one box, all its calls together
     * @param memory RLIMIT_AS: address space of one process in the box
     * @param maxWall the longest one box may run, whatever its calls' timeouts add up to
     */
    public record Sandbox(
            @Nullable Boolean enabled,
            @Nullable Path python,
            @Nullable Path bwrap,
            @Nullable Integer uid,
            @Nullable Integer maxConcurrent,
            @Nullable Integer maxQueued,
            @Nullable Duration cpu,
            @Nullable DataSize memory,
            @Nullable Integer maxProcesses,
            @Nullable DataSize fileSize,
            @Nullable Integer openFiles,
            @Nullable DataSize tmpfsSize,
            @Nullable DataSize outputCap,
            @Nullable Duration maxWall,
            @Nullable Duration startup) {

        public Sandbox {
            SandboxSettings defaults = SandboxSettings.defaults();
            enabled = enabled == null ? Boolean.TRUE : enabled;
            python = python == null ? defaults.python() : python;
            bwrap = bwrap == null ? defaults.bwrap() : bwrap;
            uid = uid == null ? defaults.uid() : uid;
            maxConcurrent = maxConcurrent == null ? defaults.maxConcurrent() : maxConcurrent;
            maxQueued = maxQueued == null ? defaults.maxQueued() : maxQueued;
            cpu = cpu == null ? defaults.cpu() : cpu;
            memory = memory == null ? DataSize.ofBytes(defaults.memoryBytes()) : memory;
            maxProcesses = maxProcesses == null ? defaults.maxProcesses() : maxProcesses;
            fileSize = fileSize == null ? DataSize.ofBytes(defaults.fileSizeBytes()) : fileSize;
            openFiles = openFiles == null ? defaults.openFiles() : openFiles;
            tmpfsSize = tmpfsSize == null ? DataSize.ofBytes(defaults.tmpfsBytes()) : tmpfsSize;
            outputCap = outputCap == null ? DataSize.ofBytes(defaults.outputCapBytes()) : outputCap;
            maxWall = maxWall == null ? defaults.maxWall() : maxWall;
            startup = startup == null ? defaults.startup() : startup;
            settings(
                    enabled,
                    python,
                    bwrap,
                    uid,
                    maxConcurrent,
                    maxQueued,
                    cpu,
                    memory,
                    maxProcesses,
                    fileSize,
                    openFiles,
                    tmpfsSize,
                    outputCap,
                    maxWall,
                    startup); // validates, naming the key
        }

        public SandboxSettings settings() {
            return settings(
                    enabled,
                    python,
                    bwrap,
                    uid,
                    maxConcurrent,
                    maxQueued,
                    cpu,
                    memory,
                    maxProcesses,
                    fileSize,
                    openFiles,
                    tmpfsSize,
                    outputCap,
                    maxWall,
                    startup);
        }

        private static SandboxSettings settings(
                Boolean enabled,
                Path python,
                Path bwrap,
                Integer uid,
                Integer maxConcurrent,
                Integer maxQueued,
                Duration cpu,
                DataSize memory,
                Integer maxProcesses,
                DataSize fileSize,
                Integer openFiles,
                DataSize tmpfsSize,
                DataSize outputCap,
                Duration maxWall,
                Duration startup) {
            SandboxSettings defaults = SandboxSettings.defaults();
            return new SandboxSettings(
                    enabled,
                    bwrap,
                    defaults.setpriv(),
                    defaults.prlimit(),
                    python,
                    uid,
                    maxConcurrent,
                    maxQueued,
                    cpu,
                    memory.toBytes(),
                    maxProcesses,
                    fileSize.toBytes(),
                    openFiles,
                    tmpfsSize.toBytes(),
                    (int) Math.min(Integer.MAX_VALUE, outputCap.toBytes()),
                    maxWall,
                    startup);
        }
    }
}
