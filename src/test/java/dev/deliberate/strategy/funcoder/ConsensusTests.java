package dev.deliberate.strategy.funcoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deliberate.sandbox.CallResult;
import dev.deliberate.sandbox.Execution;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConsensusTests {

    private static final int CRASH = -100;
    private static final int SYSTEM = -10_000;

    /** A completed run whose calls returned these JSON values; {@code "!"} marks a call that raised. */
    private static Execution run(String... values) {
        List<CallResult> calls = new ArrayList<>();
        for (String value : values) {
            calls.add(
                    value.equals("!")
                            ? new CallResult(CallResult.Outcome.RAISED, null, "ZeroDivisionError: division by zero")
                            : value.equals("ok")
                                    ? new CallResult(CallResult.Outcome.RETURNED, null, null)
                                    : new CallResult(CallResult.Outcome.RETURNED, value, null));
        }
        return new Execution(Execution.Verdict.COMPLETED, calls, Execution.Output.EMPTY, Duration.ofMillis(50));
    }

    private static Consensus.Verdict decide(List<Execution> runs, int tests, int systemTests) {
        return Consensus.decide(runs, tests, systemTests, CRASH, SYSTEM, new Random(7));
    }

    @Test
    void majorityBehaviourWinsOverALoneDeviant() {
        List<Execution> runs = List.of(run("1", "4", "9"), run("1", "4", "9"), run("1", "4", "8"), run("1", "4", "9"));

        Consensus.Verdict verdict = decide(runs, 3, 0);

        // Each test: group sizes 4,4 then {3,1}: the three agreeing candidates gain 3+3+2, the deviant 3+3+0.
        assertThat(verdict.scores()).containsExactly(8, 8, 6, 8);
        assertThat(verdict.winner()).isIn(0, 1, 3);
        assertThat(verdict.agreeing()).isEqualTo(3);
        assertThat(verdict.share()).isEqualTo(0.75);
    }

    @Test
    void aCrashCostsTheCrashPenaltyAndJoinsNoGroup() {
        List<Execution> runs = List.of(run("2", "!"), run("2", "3"), run("2", "!"));

        Consensus.Verdict verdict = decide(runs, 2, 0);

        // Two crashes on test 2 do not form a group of two: each costs -100 and gains nothing.
        assertThat(verdict.scores()).containsExactly(2 + CRASH, 2, 2 + CRASH);
        assertThat(verdict.winner()).isEqualTo(1);
        assertThat(verdict.share()).isEqualTo(1.0 / 3);
    }

    @Test
    void timeoutsAndCallsNeverReachedCountAsCrashes() {
        Execution timedOut = new Execution(
                Execution.Verdict.TIMEOUT,
                List.of(
                        new CallResult(CallResult.Outcome.RETURNED, "5", null),
                        new CallResult(CallResult.Outcome.TIMEOUT, null, null)),
                Execution.Output.EMPTY,
                Duration.ofSeconds(5));
        Execution shortRun = new Execution(
                Execution.Verdict.NO_RESULT,
                List.of(new CallResult(CallResult.Outcome.RETURNED, "5", null)),
                Execution.Output.EMPTY,
                Duration.ofMillis(10));

        Consensus.Verdict verdict = decide(List.of(timedOut, shortRun, run("5", "6")), 2, 0);

        assertThat(verdict.scores()).containsExactly(2 + CRASH, 2 + CRASH, 2);
        assertThat(verdict.winner()).isEqualTo(2);
    }

    @Test
    void failingASystemTestCostsItsPenaltyOnceEvenWhenTheMajorityFails() {
        // Three candidates agree on a wrong value; the lone right one passes the docstring example.
        List<Execution> runs = List.of(
                run("10", "!", "false"), run("10", "!", "false"), run("10", "!", "false"), run("11", "ok", "true"));

        Consensus.Verdict verdict = decide(runs, 1, 2);

        assertThat(verdict.scores()).containsExactly(2 + SYSTEM, 2 + SYSTEM, 2 + SYSTEM, 0);
        assertThat(verdict.winner()).isEqualTo(3);
        assertThat(verdict.failedSystemTests()).containsExactly(0, 1, 2);
        assertThat(verdict.share()).isEqualTo(0.25);
    }

    @Test
    void statementsThatRunCleanlyAgreeWithEachOther() {
        Consensus.Verdict verdict = decide(List.of(run("ok"), run("ok"), run("!")), 1, 0);

        assertThat(verdict.scores()).containsExactly(1, 1, CRASH);
    }

    @Test
    void tiesAreBrokenBySeededRandomPick() {
        List<Execution> runs = List.of(run("1"), run("2"), run("3"));

        List<Integer> winners = new ArrayList<>();
        for (int seed = 0; seed < 20; seed++) {
            winners.add(Consensus.decide(runs, 1, 0, CRASH, SYSTEM, new Random(seed))
                    .winner());
        }

        assertThat(winners).contains(0, 1, 2);
        assertThat(Consensus.decide(runs, 1, 0, CRASH, SYSTEM, new Random(3)).winner())
                .isEqualTo(Consensus.decide(runs, 1, 0, CRASH, SYSTEM, new Random(3))
                        .winner());
    }

    @Test
    void withoutTestInputsThereIsNoShareToReport() {
        Consensus.Verdict verdict = decide(List.of(run(), run()), 0, 0);

        assertThat(verdict.share()).isNull();
        assertThat(verdict.scores()).containsExactly(0, 0);
    }

    @Test
    void refusesAnEmptyCandidateSet() {
        assertThatThrownBy(() -> decide(List.of(), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
