package dev.deliberate.strategy;

/** The role names strategies call models by; profiles map each to an endpoint. */
public final class Roles {

    public static final String SOLVER = "solver";

    /** Judges a solver's response, e.g. the self-evaluation question; a fine-tuned scorer may sit behind it. */
    public static final String EVALUATOR = "evaluator";

    private Roles() {}
}
