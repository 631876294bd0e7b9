package dev.deliberate.eval;

import java.util.Locale;

/** The evaluation's table in markdown: one row per profile, in the order asked. */
public final class EvalReport {

    private EvalReport() {}

    public static String markdown(EvalResult result) {
        StringBuilder table = new StringBuilder();
        table.append("Dataset: `")
                .append(result.dataset().file().getFileName())
                .append("` (")
                .append(result.dataset().format().wireName())
                .append(", ")
                .append(result.dataset().problems().size())
                .append(" problems)\n\n");
        table.append("| profile | problems | accuracy | model calls / problem | completion tokens / problem"
                + " | wall time / problem | failures |\n");
        table.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (ProfileScore score : result.scores()) {
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %.1f%% (%d/%d) | %.2f | %.1f | %.3f s | %d |\n",
                    score.profile(),
                    score.problems(),
                    100 * score.accuracy(),
                    score.correct(),
                    score.problems(),
                    score.callsPerProblem(),
                    score.completionTokensPerProblem(),
                    score.secondsPerProblem(),
                    score.failures()));
        }
        return table.toString();
    }
}
