package dev.deliberate.bench;

import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.util.Arrays;
import java.util.List;

/**
 * What one group of rows measures: the profile asked for, the fake's reply to every call (before its latency), and
 * what one run then does: its backend calls and its sequential rounds of calls (the ideal wall time is the fake's
 * latency times the rounds).
 *
 * @param label the row's name in the report
 * @param bound the spec's worst-case calls per run for the profile, shown beside the measured calls; 0 when none
 */
record Workload(String label, String profile, Reply reply, int calls, int rounds, int bound) {

    /** One call per run answered with {@code answer}; {@code agot} runs each {@link AgotShape} instead. */
    static List<Workload> of(String profile, String answer) {
        if (profile.equals("agot")) {
            int bound = AgotShape.worstCaseCalls(0);
            return Arrays.stream(AgotShape.values())
                    .map(s -> new Workload(s.label(), profile, s.reply(), s.calls(), s.rounds(), bound))
                    .toList();
        }
        // direct makes one call, self-consistency one call with n=5.
        return List.of(new Workload(profile, profile, Reply.texts(answer), 1, 1, 0));
    }
}
