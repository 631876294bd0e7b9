package dev.deliberate.run;

import dev.deliberate.model.Usage;
import java.time.Clock;
import java.time.Instant;

/**
 * The live budget of one run (shared by its sub-runs). A call reserves its worst case before it starts, so that
 * concurrent calls cannot together overspend, and settles to the actual usage when it ends. Thread-safe.
 */
public final class Budget {

    private final BudgetLimits limits;
    private final Clock clock;
    private final Instant deadline;

    private int calls;
    private long settledTokens;
    private long reservedTokens;
    private long promptTokens;
    private long completionTokens;
    private int executions;

    public Budget(BudgetLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
        this.deadline = clock.instant().plus(limits.deadline());
    }

    public BudgetLimits limits() {
        return limits;
    }

    public Instant deadline() {
        return deadline;
    }

    /** A reservation of calls and worst-case tokens, to be settled exactly once. */
    public static final class Reservation {
        private final long tokens;
        private boolean settled;

        private Reservation(long tokens) {
            this.tokens = tokens;
        }

        public long tokens() {
            return tokens;
        }
    }

    /**
     * Reserves {@code callCount} calls and {@code worstCaseTokens} tokens.
     *
     * @throws BudgetExhaustedException when either would exceed the budget or the deadline has passed
     */
    public synchronized Reservation reserveCalls(int callCount, long worstCaseTokens) {
        checkDeadline();
        if (calls + callCount > limits.maxModelCalls()) {
            throw new BudgetExhaustedException(
                    "max_model_calls",
                    "model call budget spent: " + calls + " of " + limits.maxModelCalls() + " used, " + callCount
                            + " more asked");
        }
        if (settledTokens + reservedTokens + worstCaseTokens > limits.maxTokens()) {
            throw new BudgetExhaustedException(
                    "max_tokens",
                    "token budget spent: " + (settledTokens + reservedTokens) + " of " + limits.maxTokens()
                            + " used or reserved, " + worstCaseTokens + " more needed");
        }
        calls += callCount;
        reservedTokens += worstCaseTokens;
        return new Reservation(worstCaseTokens);
    }

    /** Model calls still free for a new reservation. */
    public synchronized int callsLeft() {
        return Math.max(0, limits.maxModelCalls() - calls);
    }

    /** Tokens still free for a new reservation. */
    public synchronized long tokensLeft() {
        return Math.max(0, limits.maxTokens() - settledTokens - reservedTokens);
    }

    /** Replaces a reservation by what the call really used. A failed or cancelled call settles with zero tokens. */
    public synchronized void settle(Reservation reservation, Usage actual) {
        if (reservation.settled) {
            return;
        }
        reservation.settled = true;
        reservedTokens -= reservation.tokens;
        settledTokens += actual.totalTokens();
        promptTokens += actual.promptTokens();
        completionTokens += actual.completionTokens();
    }

    public synchronized void reserveExecution() {
        checkDeadline();
        if (executions + 1 > limits.maxCodeExecutions()) {
            throw new BudgetExhaustedException(
                    "max_code_executions", "code execution budget spent: " + limits.maxCodeExecutions() + " used");
        }
        executions++;
    }

    public void checkDepth(int depth) {
        if (depth > limits.maxDepth()) {
            throw new BudgetExhaustedException(
                    "max_depth", "nesting depth " + depth + " exceeds the limit of " + limits.maxDepth());
        }
    }

    public void checkBreadth(int breadth) {
        if (breadth > limits.maxBreadth()) {
            throw new BudgetExhaustedException(
                    "max_breadth", breadth + " samples asked, the limit is " + limits.maxBreadth());
        }
    }

    public void checkDeadline() {
        if (!clock.instant().isBefore(deadline)) {
            throw new BudgetExhaustedException(
                    "deadline", "deadline of " + limits.deadline().toMillis() + " ms passed");
        }
    }

    public synchronized RunUsage used() {
        return new RunUsage(calls, promptTokens, completionTokens, executions);
    }
}
