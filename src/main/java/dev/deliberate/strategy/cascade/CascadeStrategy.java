package dev.deliberate.strategy.cascade;

import dev.deliberate.model.BackendException;
import dev.deliberate.run.BudgetExhaustedException;
import dev.deliberate.run.Candidate;
import dev.deliberate.run.DeliberateException;
import dev.deliberate.run.Problem;
import dev.deliberate.run.Run;
import dev.deliberate.run.Solution;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.StepNotes;
import dev.deliberate.run.Strategy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * The cascade: solve with the local profile; keep its answer when it is readable and its confidence is at least θ;
 * otherwise, or when the local endpoint could not answer, solve again with the server profile inside an ESCALATE
 * step. A failed escalation falls back to the local answer when there is one.
 */
final class CascadeStrategy implements Strategy {

    /** Cascades that reached a decision, tagged {@code profile} and {@code escalated}: the escalation rate's base. */
    static final String RUNS_METER = "deliberate.cascade.runs";

    /** Escalations, tagged {@code profile} and {@code reason}. */
    static final String ESCALATIONS_METER = "deliberate.cascade.escalations";

    /** Escalations whose server run failed, tagged {@code profile}, {@code reason} and {@code error} (its type). */
    static final String FAILURES_METER = "deliberate.cascade.escalation.failures";

    /** Solution notes: whether the server was asked, why, whose answer came back, and the local facts. */
    static final String ESCALATED = "escalated";

    static final String REASON = "escalation_reason";
    static final String FAILED = "escalation_failed";
    static final String ANSWERED_BY = "answered_by";
    static final String LOCAL_ANSWER = "local_answer";
    static final String LOCAL_CONFIDENCE = "local_confidence";
    static final String LOCAL_ERROR = "local_error";
    static final String LOCAL_STOPPED_BY = "local_stopped_by";
    static final String THRESHOLD = "threshold";

    private final CascadeParameters parameters;
    private final MeterRegistry meters;

    CascadeStrategy(CascadeParameters parameters, MeterRegistry meters) {
        this.parameters = parameters;
        this.meters = meters;
    }

    /** What the local profile gave: a solution or a failure, and the reason to escalate ({@code null}: keep it). */
    private record Local(
            @Nullable Solution solution,
            @Nullable Throwable error,
            @Nullable EscalationReason reason) {}

    @Override
    public Mono<Solution> solve(Problem problem, Run run) {
        Problem asked = parameters.answerKind() != null && problem.kind() == null
                ? new Problem(problem.messages(), parameters.answerKind(), problem.code())
                : problem;
        return run.solveWith(parameters.local(), asked)
                .map(solution -> new Local(solution, null, reasonFor(solution)))
                .onErrorResume(error -> {
                    Throwable cause = Exceptions.unwrap(error);
                    EscalationReason reason = reasonFor(cause);
                    // Anything else (a refused request, an exhausted budget, a bug) reaches the client as it is.
                    return reason == null ? Mono.error(error) : Mono.just(new Local(null, cause, reason));
                })
                .flatMap(local -> decide(local, asked, run));
    }

    private Mono<Solution> decide(Local local, Problem problem, Run run) {
        String profile = run.profile();
        EscalationReason reason = local.reason();
        Solution localSolution = local.solution();
        if (reason == null && localSolution != null) {
            runs(profile, false).increment();
            Solution kept = annotate(localSolution, local, null, parameters.local());
            run.offer(candidate(kept));
            return Mono.just(kept);
        }
        if (reason == null) {
            throw new IllegalStateException("a local run without a solution must have an escalation reason");
        }
        runs(profile, true).increment();
        Counter.builder(ESCALATIONS_METER)
                .description("cascades that asked the server profile, by reason")
                .tags("profile", profile, "reason", reason.wireName())
                .register(meters)
                .increment();
        if (localSolution != null) {
            // Should the deadline or budget stop the escalation, the run returns the local answer, truncated.
            run.offer(candidate(localSolution));
        }
        Mono<Solution> escalated = run.step(StepKind.ESCALATE, reason.wireName(), notes -> {
                    escalationNotes(notes, local, reason);
                    return run.solveWith(parameters.server(), problem);
                })
                .map(server -> {
                    Solution answered = annotate(server, local, reason, parameters.server());
                    run.offer(candidate(answered));
                    return answered;
                })
                .doOnError(error -> Counter.builder(FAILURES_METER)
                        .description("escalations whose server run failed, by reason and error type")
                        .tags(
                                "profile",
                                profile,
                                "reason",
                                reason.wireName(),
                                "error",
                                Exceptions.unwrap(error).getClass().getSimpleName())
                        .register(meters)
                        .increment());
        if (localSolution == null) {
            return escalated;
        }
        return escalated.onErrorResume(error -> {
            Throwable cause = Exceptions.unwrap(error);
            Map<String, Object> notes = new LinkedHashMap<>(
                    annotate(localSolution, local, reason, parameters.local()).notes());
            notes.put(FAILED, describe(cause));
            Solution fallback =
                    new Solution(localSolution.answer(), localSolution.text(), localSolution.confidence(), notes);
            // The budget stopped the planned escalation: the answer is made with less work than planned.
            if (cause instanceof BudgetExhaustedException exhausted && !fallback.isStoppedByBudget()) {
                fallback = fallback.stoppedBy(exhausted.limit());
            }
            return Mono.just(fallback);
        });
    }

    private @Nullable EscalationReason reasonFor(Solution solution) {
        if (solution.answer() == null) {
            return EscalationReason.UNPARSABLE;
        }
        Double confidence = solution.confidence();
        if (confidence == null) {
            return parameters.escalateOnUnknownConfidence() ? EscalationReason.NO_CONFIDENCE : null;
        }
        return confidence < parameters.threshold() ? EscalationReason.LOW_CONFIDENCE : null;
    }

    /**
     * Failures of the local endpoint that the server may not share. A request the local backend refused (other than
     * an allowed context overflow) is a configuration problem to show, not to pay around; an exhausted budget is
     * shared with the server run, so it would fail there too.
     */
    private @Nullable EscalationReason reasonFor(Throwable error) {
        if (error instanceof BackendException.Unavailable) {
            return EscalationReason.UNAVAILABLE;
        }
        if (error instanceof BackendException.Timeout) {
            return EscalationReason.TIMEOUT;
        }
        if (error instanceof BackendException.RateLimited) {
            return EscalationReason.RATE_LIMITED;
        }
        if (error instanceof BackendException.BadReply) {
            return EscalationReason.BAD_REPLY;
        }
        if (error instanceof BackendException.Rejected rejected
                && rejected.contextOverflow()
                && parameters.escalateOnContextOverflow()) {
            return EscalationReason.CONTEXT_OVERFLOW;
        }
        return null;
    }

    private void escalationNotes(StepNotes notes, Local local, EscalationReason reason) {
        notes.put("reason", reason.wireName());
        Solution solution = local.solution();
        if (solution != null && solution.answer() != null) {
            notes.put(LOCAL_ANSWER, solution.answer());
        }
        if (solution != null && solution.confidence() != null) {
            notes.put(LOCAL_CONFIDENCE, solution.confidence());
        }
        if (local.error() != null) {
            notes.put(LOCAL_ERROR, describe(local.error()));
        }
        notes.put(THRESHOLD, parameters.threshold());
        notes.put("server", parameters.server());
    }

    /** {@code base}'s notes plus the cascade's own: whether and why it escalated, who answered, the local facts. */
    private Solution annotate(Solution base, Local local, @Nullable EscalationReason reason, String answeredBy) {
        Map<String, Object> notes = new LinkedHashMap<>(base.notes());
        notes.put(ESCALATED, reason != null);
        if (reason != null) {
            notes.put(REASON, reason.wireName());
        }
        notes.put(ANSWERED_BY, answeredBy);
        Solution solution = local.solution();
        if (solution != null) {
            if (solution.answer() != null) {
                notes.put(LOCAL_ANSWER, solution.answer());
            }
            if (solution.confidence() != null) {
                notes.put(LOCAL_CONFIDENCE, solution.confidence());
            }
            Object stoppedBy = solution.notes().get(Solution.STOPPED_BY);
            if (stoppedBy != null && base != solution) {
                // The returned answer is the server's, made in full; the cut-short local work is still shown.
                notes.put(LOCAL_STOPPED_BY, stoppedBy);
            }
        }
        if (local.error() != null) {
            notes.put(LOCAL_ERROR, describe(local.error()));
        }
        notes.put(THRESHOLD, parameters.threshold());
        return new Solution(base.answer(), base.text(), base.confidence(), notes);
    }

    private Counter runs(String profile, boolean escalated) {
        return Counter.builder(RUNS_METER)
                .description("cascades that decided whether to escalate")
                .tags("profile", profile, "escalated", String.valueOf(escalated))
                .register(meters);
    }

    private static Candidate candidate(Solution solution) {
        Double confidence = solution.confidence();
        return new Candidate(solution.answer(), solution.text(), confidence == null ? 0.0 : confidence);
    }

    /** Our own and backend errors carry messages free of keys and bodies; anything else shows only its type. */
    private static String describe(Throwable error) {
        String type = error.getClass().getSimpleName();
        return error instanceof BackendException || error instanceof DeliberateException
                ? type + ": " + error.getMessage()
                : type;
    }
}
