package dev.deliberate.strategy.spar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The judge's value of one response: {@code yes / (yes + no)} over the samples of the last attempt (0 when no sample
 * had a verdict), and the critique that the refiner is shown.
 *
 * @param critique the first sample whose verdict matches the majority; on a tie that resampling did not break, the
 *     first No (the most useful to a refiner), and when no sample had a verdict, the first sample
 * @param attempts judge requests made, more than one when ties were resampled
 */
record Judgment(double value, int yes, int no, int invalid, String critique, int attempts) {

    /** Counts the verdicts of one attempt's samples. */
    static Judgment of(List<String> replies, int attempts) {
        int yes = 0;
        int no = 0;
        List<Verdict> verdicts = new ArrayList<>();
        for (String reply : replies) {
            Verdict verdict = Verdict.read(reply);
            verdicts.add(verdict);
            if (verdict == Verdict.YES) {
                yes++;
            } else if (verdict == Verdict.NO) {
                no++;
            }
        }
        Verdict majority = yes > no ? Verdict.YES : no > 0 ? Verdict.NO : Verdict.INVALID;
        String critique = replies.isEmpty() ? "" : replies.get(0);
        for (int i = 0; i < replies.size(); i++) {
            if (verdicts.get(i) == majority) {
                critique = replies.get(i);
                break;
            }
        }
        double value = yes + no == 0 ? 0.0 : (double) yes / (yes + no);
        return new Judgment(value, yes, no, replies.size() - yes - no, critique, attempts);
    }

    /** Equal Yes and No counts, all-invalid included: the rule resamples these. */
    boolean tied() {
        return yes == no;
    }

    Map<String, Object> votes() {
        Map<String, Object> votes = new LinkedHashMap<>();
        votes.put("yes", yes);
        votes.put("no", no);
        votes.put("invalid", invalid);
        return votes;
    }
}
