package dev.deliberate.run;

/**
 * A run asked for more than its budget allows (calls, tokens, depth, breadth, executions) or its deadline passed.
 * {@link RunService} turns it into the best answer offered so far, marked truncated; only a run that has nothing to
 * offer answers with this error.
 */
public final class BudgetExhaustedException extends DeliberateException {

    private final String limit;

    BudgetExhaustedException(String limit, String message) {
        super(
                limit.equals("deadline") ? 504 : 429,
                limit.equals("deadline") ? "timeout_error" : "budget_exceeded",
                "budget." + limit,
                limit.equals("deadline") ? "deadline_exceeded" : "budget_exhausted",
                message,
                null,
                null);
        this.limit = limit;
    }

    /** The exhausted limit, as named in the budget ({@code max_model_calls}, {@code deadline}, ...). */
    public String limit() {
        return limit;
    }
}
