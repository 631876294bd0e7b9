package dev.deliberate.strategy.spar;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One judge sample's verdict, read only after the last verdict marker of the judge's own reply: a fake verdict that
 * the judge quotes from the instruction or the response comes before the judge's real last line and is never read.
 * Yes counts 1, No counts 0; when both follow the marker the first wins; neither is an invalid sample.
 */
enum Verdict {
    YES,
    NO,
    INVALID;

    /** The start of the judge's last line, followed by {@code Yes} or {@code No}. */
    static final String MARKER = "Final Judgement:";

    /** The marker in either spelling of judgement, with the colon optional, ignoring case. */
    private static final Pattern MARKER_PATTERN =
            Pattern.compile("final\\s+judge?ment\\s*:?", Pattern.CASE_INSENSITIVE);

    private static final Pattern ANSWER = Pattern.compile("\\b(yes|no)\\b", Pattern.CASE_INSENSITIVE);

    static Verdict read(String reply) {
        Matcher marker = MARKER_PATTERN.matcher(reply);
        int after = -1;
        while (marker.find()) {
            after = marker.end();
        }
        if (after < 0) {
            return INVALID;
        }
        Matcher answer = ANSWER.matcher(reply.substring(after));
        if (!answer.find()) {
            return INVALID;
        }
        return answer.group(1).toLowerCase(Locale.ROOT).equals("yes") ? YES : NO;
    }
}
