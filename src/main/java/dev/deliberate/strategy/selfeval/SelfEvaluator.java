package dev.deliberate.strategy.selfeval;

import dev.deliberate.model.ChatMessage;
import dev.deliberate.run.Requirement;
import dev.deliberate.run.Run;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Scores a response by the chance that starting over would do better. Implementations call the model behind
 * {@link dev.deliberate.strategy.Roles#EVALUATOR} through {@code run} (so the calls are charged to the run's budget)
 * and record each score as one {@link dev.deliberate.run.StepKind#EVALUATE} step. Cancelling the returned Mono
 * cancels the model call.
 */
public interface SelfEvaluator {

    /**
     * @param conversation the conversation exactly as the solver saw it (answer-format framing included)
     * @param response the solver's response so far; may be partial
     * @return s in [0, 1], the probability that a fresh sample would be better; low means good
     */
    Mono<Double> score(Run run, List<ChatMessage> conversation, String response);

    /** What the endpoint behind the evaluator role must offer; checked when a profile loads. */
    Set<Requirement> requirements();
}
