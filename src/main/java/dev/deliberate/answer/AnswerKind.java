package dev.deliberate.answer;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** The form of answer a problem asks for; it decides how {@link AnswerExtractor} reads a response. */
public enum AnswerKind {
    /** A number: integer, decimal or fraction, or a LaTeX expression inside {@code \boxed{}}. */
    MATH("math"),
    /** One option letter, A to E. */
    CHOICE("choice"),
    /** Source code, usually a fenced block. */
    CODE("code"),
    /** Short free text. */
    TEXT("text");

    private final String wireName;

    AnswerKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in the HTTP API and profile files. */
    public String wireName() {
        return wireName;
    }

    /** The kind with this wire name, ignoring case; empty for an unknown name. */
    public static Optional<AnswerKind> fromWireName(String name) {
        Objects.requireNonNull(name, "name");
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (AnswerKind kind : values()) {
            if (kind.wireName.equals(wanted)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
