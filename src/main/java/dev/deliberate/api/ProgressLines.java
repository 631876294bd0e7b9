package dev.deliberate.api;

import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** One short human-readable line per finished step, for clients that display reasoning. */
public final class ProgressLines {

    private ProgressLines() {}

    /** The line for {@code step}, or {@code null} for steps not worth a line (starts, the run itself). */
    public static @Nullable String of(Step step) {
        if (step.status() == Step.Status.RUNNING || (step.kind() == StepKind.RUN && step.parentId() == null)) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        line.append('[').append(step.kind().wireName()).append("] ").append(step.name());
        if (step.endpoint() != null) {
            line.append(" on ").append(step.endpoint());
        }
        Object n = step.notes().get("n");
        if (n instanceof Integer count && count > 1) {
            line.append(" ×").append(count);
        }
        if (step.status() != Step.Status.OK) {
            line.append(": ").append(step.status().name().toLowerCase(Locale.ROOT));
            Object error = step.notes().get("error");
            if (error != null) {
                line.append(" (").append(error).append(')');
            }
        } else {
            Object winner = step.notes().get("winner");
            if (winner != null) {
                line.append(": ").append(winner);
                Object share = step.notes().get("share");
                if (share instanceof Double value) {
                    line.append(String.format(Locale.ROOT, " (%.0f%% of votes)", value * 100));
                }
            }
            if (step.usage().completionTokens() > 0) {
                line.append(", ").append(step.usage().completionTokens()).append(" tokens");
            }
        }
        Duration duration = step.duration();
        if (duration != null) {
            line.append(String.format(Locale.ROOT, ", %.2f s", duration.toMillis() / 1000.0));
        }
        return line.append('\n').toString();
    }
}
