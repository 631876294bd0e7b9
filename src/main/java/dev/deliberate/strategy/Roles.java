package dev.deliberate.strategy;

/** The role names strategies call models by; profiles map each to an endpoint. */
public final class Roles {

    public static final String SOLVER = "solver";

    /** Judges a solver's response, e.g. the self-evaluation question; a fine-tuned scorer may sit behind it. */
    public static final String EVALUATOR = "evaluator";

    /** Writes the first response to the client's conversation (SPaR). */
    public static final String ACTOR = "actor";

    /** Checks a response against every constraint of the instruction and ends with a verdict (SPaR). */
    public static final String JUDGE = "judge";

    /** Rewrites a response that a judge failed, given the judge's critique (SPaR). */
    public static final String REFINER = "refiner";

    private Roles() {}
}
