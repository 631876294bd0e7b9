package dev.deliberate.eval;

import java.util.Locale;
import java.util.Optional;

/** The dataset formats the evaluation reads, one JSON object a line. */
public enum DatasetFormat {
    /** {@code question}, and {@code answer} whose last line is {@code #### N}; graded numerically. */
    GSM8K("gsm8k"),
    /** {@code task_id}, {@code prompt}, {@code entry_point}, {@code test}; graded by {@code check(entry_point)}. */
    HUMANEVAL("humaneval");

    private final String wireName;

    DatasetFormat(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The format named {@code name} ({@code gsm8k} or {@code humaneval}, any case); empty for another name. */
    public static Optional<DatasetFormat> fromWireName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (DatasetFormat format : values()) {
            if (format.wireName.equals(wanted)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }
}
