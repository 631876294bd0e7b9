package dev.deliberate.run;

import dev.deliberate.model.Usage;

/** What a run, or one step of it, spent. */
public record RunUsage(int modelCalls, long promptTokens, long completionTokens, int codeExecutions) {

    public static final RunUsage ZERO = new RunUsage(0, 0, 0, 0);

    public static RunUsage ofCalls(int calls, Usage usage) {
        return new RunUsage(calls, usage.promptTokens(), usage.completionTokens(), 0);
    }

    public RunUsage plus(RunUsage other) {
        return new RunUsage(
                modelCalls + other.modelCalls,
                promptTokens + other.promptTokens,
                completionTokens + other.completionTokens,
                codeExecutions + other.codeExecutions);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
