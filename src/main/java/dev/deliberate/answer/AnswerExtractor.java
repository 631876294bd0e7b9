package dev.deliberate.answer;

import java.util.Optional;

// TEMPORARY placeholder until the answer package lands
public final class AnswerExtractor {
    public Optional<Answer> extract(AnswerKind kind, String response) {
        String t = response.trim();
        return t.isEmpty() ? Optional.empty() : Optional.of(new Answer(kind, t, t));
    }
}
