package dev.deliberate.api.reason;

import dev.deliberate.api.ApiError;
import dev.deliberate.api.ErrorReply;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunUsage;
import dev.deliberate.run.Solution;
import dev.deliberate.run.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A run on the wire: the answer, honest usage and the executed trace. */
public record RunView(
        String runId,
        String status,
        String profile,
        String strategy,
        @Nullable String answer,
        @Nullable String content,
        @Nullable Double confidence,
        boolean truncated,
        UsageView usage,
        TraceView trace,
        Map<String, Object> notes,
        ApiError.@Nullable Detail error) {

    public record UsageView(
            int modelCalls, long promptTokens, long completionTokens, long totalTokens, int codeExecutions) {
        static UsageView of(RunUsage usage) {
            return new UsageView(
                    usage.modelCalls(),
                    usage.promptTokens(),
                    usage.completionTokens(),
                    usage.totalTokens(),
                    usage.codeExecutions());
        }
    }

    /**
     * @param criticalPathMs the longest chain of steps that ran one after another
     * @param criticalPath the ids of that chain's steps
     */
    public record TraceView(
            Instant startedAt,
            @Nullable Long wallMs,
            long criticalPathMs,
            List<String> criticalPath,
            List<StepView> steps) {}

    public record StepView(
            String id,
            @Nullable String parentId,
            String path,
            String kind,
            String name,
            @Nullable String endpoint,
            String status,
            Instant start,
            @Nullable Instant end,
            @Nullable Long durationMs,
            UsageView usage,
            Map<String, Object> notes) {

        public static StepView of(Step step) {
            Duration duration = step.duration();
            return new StepView(
                    step.id(),
                    step.parentId(),
                    step.path(),
                    step.kind().wireName(),
                    step.name(),
                    step.endpoint(),
                    step.status().name().toLowerCase(java.util.Locale.ROOT),
                    step.start(),
                    step.end(),
                    duration == null ? null : duration.toMillis(),
                    UsageView.of(step.usage()),
                    step.notes());
        }
    }

    public static RunView of(RunResult result) {
        Solution solution = result.solution();
        return new RunView(
                result.runId(),
                result.status().wireName(),
                result.profile(),
                result.strategy(),
                solution == null ? null : solution.answer(),
                solution == null ? null : solution.text(),
                solution == null ? null : solution.confidence(),
                result.truncated(),
                UsageView.of(result.usage()),
                new TraceView(
                        result.startedAt(),
                        result.wall() == null ? null : result.wall().toMillis(),
                        result.criticalPath().length().toMillis(),
                        result.criticalPath().stepIds(),
                        result.steps().stream().map(StepView::of).toList()),
                solution == null ? Map.of() : solution.notes(),
                result.error() == null
                        ? null
                        : ErrorReply.of(result.error()).body().error());
    }
}
