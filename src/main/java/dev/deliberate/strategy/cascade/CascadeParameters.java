package dev.deliberate.strategy.cascade;

import dev.deliberate.answer.AnswerKind;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

/**
 * Parameters of {@code cascade}.
 *
 * @param local the profile that answers first, usually on the local model
 * @param server the profile that answers when the cascade escalates, usually on a paid provider
 * @param threshold θ in [0, 1]: a local answer whose confidence is below θ escalates; exactly θ is kept. Default
 *     {@code 0.5}, which for a five-sample vote keeps a majority of three and escalates anything weaker
 * @param escalateOnUnknownConfidence whether a local answer without a confidence (a strategy with no honest signal)
 *     escalates; default {@code true}, since nothing says it is right
 * @param escalateOnContextOverflow whether a prompt too long for the local model goes to the server; default
 *     {@code false}, so that a long prompt never reaches a paid provider unless the profile allows it, and the client
 *     gets the context-length error instead
 * @param answerKind the kind both sub-profiles answer in when the client does not say, so that the local and the
 *     server answers are read the same way; {@code null} leaves it to each sub-profile
 */
public record CascadeParameters(
        @NotBlank String local,
        @NotBlank String server,
        @DecimalMin("0.0") @DecimalMax("1.0") Double threshold,
        Boolean escalateOnUnknownConfidence,
        Boolean escalateOnContextOverflow,
        @Nullable AnswerKind answerKind) {

    public CascadeParameters {
        threshold = threshold == null ? 0.5 : threshold;
        escalateOnUnknownConfidence = escalateOnUnknownConfidence == null ? Boolean.TRUE : escalateOnUnknownConfidence;
        escalateOnContextOverflow = escalateOnContextOverflow == null ? Boolean.FALSE : escalateOnContextOverflow;
    }
}
