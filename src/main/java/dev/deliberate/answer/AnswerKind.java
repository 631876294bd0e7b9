package dev.deliberate.answer;

import java.util.Locale;
import java.util.Optional;

// TEMPORARY placeholder until the answer package lands
public enum AnswerKind {
    MATH,
    CHOICE,
    CODE,
    TEXT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AnswerKind> fromWireName(String name) {
        for (AnswerKind k : values()) {
            if (k.wireName().equalsIgnoreCase(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
