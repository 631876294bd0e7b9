package dev.deliberate.eval;

import java.util.List;

/** An evaluation's outcome: one score per profile, in the order asked, and every problem's outcome. */
public record EvalResult(Dataset dataset, List<ProfileScore> scores, List<ProblemOutcome> outcomes) {

    public EvalResult {
        scores = List.copyOf(scores);
        outcomes = List.copyOf(outcomes);
    }
}
