package dev.deliberate.strategy.funcoder;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * Parameters of {@code funcoder}. The defaults are the paper's released settings ({@code .hparams.json}).
 *
 * @param maxDepth d_max: a function at this depth is implemented without being divided further; default 6
 * @param maxFunctions functions in one program, the root included; a divide reply that would pass it keeps its first
 *     helpers and the rest are left to their parent; default 24
 * @param samples implementations sampled per function in the conquer step; default 10
 * @param minValid valid samples wanted before consensus; fewer trigger another conquer call; default 5
 * @param retries attempts of each divide, conquer and test call before giving up; default 3
 * @param divideTemperature default 0.2
 * @param conquerTemperature default 0.8
 * @param testTemperature temperature of test-input generation and docstring-example extraction; default 0.2
 * @param maxTests test inputs kept per function; default 8
 * @param executionTimeout wall time of each test call in the sandbox; default 5 s
 * @param crashPenalty score added for each test a candidate crashes on; default -100
 * @param systemTestPenalty score added once to a candidate that fails a docstring example or a client test; default
 *     -10000
 * @param maxTokens completion cap of each call
 */
public record FunCoderParameters(
        @Min(0) @Max(8) Integer maxDepth,
        @Min(1) @Max(64) Integer maxFunctions,
        @Min(1) @Max(32) Integer samples,
        @Min(1) @Max(32) Integer minValid,
        @Min(1) @Max(5) Integer retries,
        @DecimalMin("0.0") @DecimalMax("2.0") Double divideTemperature,
        @DecimalMin("0.0") @DecimalMax("2.0") Double conquerTemperature,
        @DecimalMin("0.0") @DecimalMax("2.0") Double testTemperature,
        @Min(1) @Max(32) Integer maxTests,
        Duration executionTimeout,
        @Max(0) Integer crashPenalty,
        @Max(0) Integer systemTestPenalty,
        @Min(1) Integer maxTokens) {

    public FunCoderParameters {
        maxDepth = maxDepth == null ? 6 : maxDepth;
        maxFunctions = maxFunctions == null ? 24 : maxFunctions;
        samples = samples == null ? 10 : samples;
        minValid = minValid == null ? 5 : minValid;
        retries = retries == null ? 3 : retries;
        divideTemperature = divideTemperature == null ? 0.2 : divideTemperature;
        conquerTemperature = conquerTemperature == null ? 0.8 : conquerTemperature;
        testTemperature = testTemperature == null ? 0.2 : testTemperature;
        maxTests = maxTests == null ? 8 : maxTests;
        executionTimeout = executionTimeout == null ? Duration.ofSeconds(5) : executionTimeout;
        crashPenalty = crashPenalty == null ? -100 : crashPenalty;
        systemTestPenalty = systemTestPenalty == null ? -10_000 : systemTestPenalty;
        maxTokens = maxTokens == null ? 2048 : maxTokens;
    }

    /** The paper's settings. */
    public static FunCoderParameters defaults() {
        return new FunCoderParameters(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
