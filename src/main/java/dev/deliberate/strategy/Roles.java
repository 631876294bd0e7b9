package dev.deliberate.strategy;

/** The role names strategies call models by; profiles map each to an endpoint. */
public final class Roles {

    public static final String SOLVER = "solver";

    private Roles() {}
}
