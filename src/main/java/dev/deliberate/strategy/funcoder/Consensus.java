package dev.deliberate.strategy.funcoder;

import dev.deliberate.sandbox.CallResult;
import dev.deliberate.sandbox.Execution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Functional consensus (FunCoder step 7). On each test input, candidates that returned the same value form a group
 * and each gains the group's size minus one; a crash (exception, timeout, no result) costs {@code crashPenalty}. A
 * candidate failing any system test (a docstring example or a client test) loses {@code systemTestPenalty} once.
 * The highest score wins; ties go to a seeded random pick, as in the paper. All comparison is of the canonical JSON
 * the sandbox wrote: no candidate code runs here.
 */
final class Consensus {

    private Consensus() {}

    /**
     * @param winner index of the chosen candidate
     * @param scores every candidate's score, in candidate order
     * @param agreeing candidates that behaved exactly as the winner did on every test input (the winner included)
     * @param share {@code agreeing / candidates}, or {@code null} when there was no test input to agree on
     * @param failedSystemTests candidates that failed a system test
     */
    record Verdict(
            int winner,
            List<Integer> scores,
            int agreeing,
            @Nullable Double share,
            List<Integer> failedSystemTests) {}

    /**
     * @param runs one execution per candidate, whose calls are the {@code tests} test inputs followed by the system
     *     tests
     */
    static Verdict decide(
            List<Execution> runs, int tests, int systemTests, int crashPenalty, int systemTestPenalty, Random random) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("consensus needs at least one candidate");
        }
        int candidates = runs.size();
        int[] scores = new int[candidates];
        List<List<@Nullable String>> behaviour = new ArrayList<>();
        for (Execution run : runs) {
            List<@Nullable String> keys = new ArrayList<>();
            for (int j = 0; j < tests; j++) {
                keys.add(behaviourOn(run, j));
            }
            behaviour.add(keys);
        }
        for (int j = 0; j < tests; j++) {
            Map<String, Integer> groups = new HashMap<>();
            for (List<@Nullable String> keys : behaviour) {
                String key = keys.get(j);
                if (key != null) {
                    groups.merge(key, 1, Integer::sum);
                }
            }
            for (int i = 0; i < candidates; i++) {
                String key = behaviour.get(i).get(j);
                scores[i] += key == null ? crashPenalty : groups.get(key) - 1;
            }
        }
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < candidates; i++) {
            if (failsSystemTest(runs.get(i), tests, systemTests)) {
                scores[i] += systemTestPenalty;
                failed.add(i);
            }
        }
        int best = Integer.MIN_VALUE;
        List<Integer> top = new ArrayList<>();
        for (int i = 0; i < candidates; i++) {
            if (scores[i] > best) {
                best = scores[i];
                top.clear();
            }
            if (scores[i] == best) {
                top.add(i);
            }
        }
        int winner = top.size() == 1 ? top.get(0) : top.get(random.nextInt(top.size()));
        int agreeing = 0;
        for (List<@Nullable String> keys : behaviour) {
            if (keys.equals(behaviour.get(winner))) {
                agreeing++;
            }
        }
        List<Integer> scoreList = new ArrayList<>();
        for (int score : scores) {
            scoreList.add(score);
        }
        Double share = tests == 0 ? null : (double) agreeing / candidates;
        return new Verdict(winner, scoreList, agreeing, share, failed);
    }

    /** What a candidate did on call {@code j}: {@code =<json>} for a returned value, {@code null} for a crash. */
    static @Nullable String behaviourOn(Execution run, int j) {
        if (j >= run.calls().size()) {
            return null;
        }
        CallResult call = run.calls().get(j);
        if (!call.returned()) {
            return null;
        }
        return call.value() == null ? "ok" : "=" + call.value();
    }

    /** A system test fails when it crashes, or when an expression such as {@code f(1) == 2} evaluates to false. */
    static boolean failsSystemTest(Execution run, int tests, int systemTests) {
        if (run.calls().size() < tests + systemTests) {
            return systemTests > 0;
        }
        for (int j = tests; j < tests + systemTests; j++) {
            CallResult call = run.calls().get(j);
            if (!call.returned() || "false".equals(call.value())) {
                return true;
            }
        }
        return false;
    }
}
