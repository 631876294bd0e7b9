package dev.deliberate.strategy.selfeval;

import dev.deliberate.model.ChatMessage;
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
            int top = Math.min(run.capabilities(Roles.EVALUATOR).maxTopLogprobs(), MAX_TOP_LOGPROBS);
            GenerationRequest request = GenerationRequest.of(messages)
                    .withTemperature(0.0)
                    .withMaxTokens(1)
                    .withLogprobs(top);
            return run.generate(Roles.EVALUATOR, request).map(generation -> {
                YesNo odds = YesNo.of(generation.choices().get(0));
                double score = odds.restartProbability();
                notes.put("score", score).put("p_yes", odds.yes()).put("p_no", odds.no());
                if (!odds.informative()) {
                    notes.put("uninformative", "neither Yes nor No among the top alternatives");
                }
                return score;
            });
        });
    }

    @Override
    public Set<Requirement> requirements() {
        return Set.of(Requirement.TOP_LOGPROBS);
    }
}
