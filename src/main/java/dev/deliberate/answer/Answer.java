package dev.deliberate.answer;

// TEMPORARY placeholder until the answer package lands
public record Answer(AnswerKind kind, String raw, String canonical) {}
