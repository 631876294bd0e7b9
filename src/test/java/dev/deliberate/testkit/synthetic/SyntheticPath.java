package dev.deliberate.testkit.synthetic;

/**
 * The ground truth of one reasoning path the model generated, found again from its text with
 * {@link SyntheticModel#path(String)}.
 *
 * @param key the route key written at the start of the text ({@code "Route <key>."}), which identifies the path
 * @param problemId the problem it answers
 * @param answer the answer its last line states
 * @param correct whether that answer is the problem's answer
 * @param text the complete text, before any cut by {@code max_tokens} or stop sequences
 * @param tokens the complete length in tokens
 * @param meanLogprob the mean token logprob of the complete path as returned
 * @param evalNoise the path's standard normal noise in the logit of its self-evaluation
 * @param temperature the temperature it was sampled at
 */
public record SyntheticPath(
        String key,
        int problemId,
        String answer,
        boolean correct,
        String text,
        int tokens,
        double meanLogprob,
        double evalNoise,
        double temperature) {}
