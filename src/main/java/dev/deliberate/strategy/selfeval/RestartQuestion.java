package dev.deliberate.strategy.selfeval;

import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.Requirement;
import dev.deliberate.run.Run;
import dev.deliberate.run.StepKind;
import dev.deliberate.strategy.Roles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * The self-evaluation of an off-the-shelf model: after the conversation and the (partial) response, one more user
 * turn ({@code prompts/selfeval/restart.md}) asks whether starting over would give a better answer; one token is
 * generated greedily and the score is P(Yes) renormalised over {Yes, No}, read from that token's top alternatives.
 * When neither appears among them the score is {@value YesNo#UNINFORMATIVE} and the step says so.
 */
public final class RestartQuestion implements SelfEvaluator {

    static final String PROMPT = "selfeval/restart";

    /** OpenAI's ceiling for {@code top_logprobs}; more alternatives only help to find Yes and No. */
    static final int MAX_TOP_LOGPROBS = 20;

    /** Alternatives asked for while the evaluator's capabilities are only assumed (its probe has not answered). */
    static final int ASSUMED_TOP_LOGPROBS = 5;

    private final PromptLibrary prompts;

    public RestartQuestion(PromptLibrary prompts) {
        this.prompts = prompts;
        prompts.require(PROMPT);
    }

    @Override
    public Mono<Double> score(Run run, List<ChatMessage> conversation, String response) {
        return run.step(StepKind.EVALUATE, "self-evaluation", notes -> {
            List<ChatMessage> messages = new ArrayList<>(conversation.size() + 2);
            messages.addAll(conversation);
            messages.add(ChatMessage.assistant(response));
            messages.add(ChatMessage.user(prompts.render(PROMPT, Map.of())));
            Capabilities capabilities = run.capabilities(Roles.EVALUATOR);
            // Until a probe has said how many alternatives the backend returns, ask for a few that servers accept.
            int top = capabilities.source() == Capabilities.Source.ASSUMED
                    ? ASSUMED_TOP_LOGPROBS
                    : Math.min(capabilities.maxTopLogprobs(), MAX_TOP_LOGPROBS);
            GenerationRequest request = GenerationRequest.of(messages)
                    .withTemperature(0.0)
                    .withMaxTokens(1)
                    .withLogprobs(top);
            return run.generate(Roles.EVALUATOR, request).handle((generation, sink) -> {
                Choice choice = generation.choices().get(0);
                if (choice.tokens().isEmpty()) {
                    // A backend that drops logprobs it was asked for is faulty; a 0.5 would hide it behind a
                    // strategy that samples to its limit and a cascade that always escalates.
                    sink.error(new BackendException.BadReply(
                            generation.endpoint(),
                            "returned no token logprobs for the self-evaluation though asked; the score is P(Yes)"
                                    + " among them",
                            null));
                    return;
                }
                YesNo odds = YesNo.of(choice);
                double score = odds.restartProbability();
                notes.put("score", score).put("p_yes", odds.yes()).put("p_no", odds.no());
                if (!odds.informative()) {
                    notes.put("uninformative", "neither Yes nor No among the top alternatives");
                }
                sink.next(score);
            });
        });
    }

    @Override
    public Set<Requirement> requirements() {
        return Set.of(Requirement.TOP_LOGPROBS);
    }
}
