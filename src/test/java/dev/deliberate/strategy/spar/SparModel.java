package dev.deliberate.strategy.spar;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Scripted actor, judge and refiner for {@code spar}, reading prompts the way docs/strategies/spar.md describes them:
 * a judge prompt starts with {@code ## Judge:}, a refinement's last turn with {@code ## Refine:}, and user text sits
 * between two identical fence lines.
 */
final class SparModel {

    enum Role {
        ACTOR,
        JUDGE,
        REFINE
    }

    private SparModel() {}

    static Role role(List<ChatMessage> messages) {
        String last = messages.get(messages.size() - 1).content();
        if (last.startsWith("## Judge:")) {
            return Role.JUDGE;
        }
        if (last.startsWith("## Refine:")) {
            return Role.REFINE;
        }
        return Role.ACTOR;
    }

    /** The fenced text after {@code label} in a judge prompt. */
    static String fenced(String judgePrompt, String label) {
        List<String> lines = judgePrompt.lines().toList();
        int at = lines.indexOf(label);
        String fence = lines.get(at + 1);
        int end = lines.subList(at + 2, lines.size()).indexOf(fence) + at + 2;
        return String.join("\n", lines.subList(at + 2, end));
    }

    static String response(String judgePrompt) {
        return fenced(judgePrompt, "Response:");
    }

    static String instruction(String judgePrompt) {
        return fenced(judgePrompt, "Instruction:");
    }

    /** A judge sample about {@code response}: {@code Y}, {@code N} or anything else for no verdict. */
    static String verdict(String response, int index, char verdict) {
        String critique = "critique " + index + " of " + response;
        return switch (verdict) {
            case 'Y' -> critique + ": every constraint is met.\nFinal Judgement: Yes";
            case 'N' -> critique + ": the length constraint is missed.\nFinal Judgement: No";
            default -> critique + ": I cannot decide.";
        };
    }

    static String refined(String text) {
        return "Reflection: fix it.\n" + Refinement.START + "\n" + text + "\n" + Refinement.END;
    }

    static ScriptedEndpoint endpoint(String name, Function<GenerationRequest, List<String>> script) {
        return new ScriptedEndpoint(
                name,
                Capabilities.full(Capabilities.Source.CONFIGURED),
                (request, call) -> Mono.fromCallable(() -> {
                    List<Choice> choices = new ArrayList<>();
                    for (String text : script.apply(request)) {
                        choices.add(ScriptedEndpoint.choice(choices.size(), text));
                    }
                    return ScriptedEndpoint.generation(name, choices);
                }));
    }

    static ScriptedEndpoint actor(String answer) {
        return endpoint("actor", request -> List.of(answer));
    }

    /**
     * A judge that answers each request with the verdict letters for the judged response: {@code patterns} maps a
     * response to its attempts separated by {@code |} (the k-th request about it gets the k-th, the last repeats);
     * responses not named get all No.
     */
    static ScriptedEndpoint judge(Map<String, String> patterns) {
        Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
        return endpoint("judge", request -> {
            String prompt = request.messages().get(0).content();
            String response = response(prompt);
            String[] attempts =
                    patterns.getOrDefault(response, "N".repeat(request.n())).split("\\|");
            int k = asked.computeIfAbsent(response, r -> new AtomicInteger()).getAndIncrement();
            String letters = attempts[Math.min(k, attempts.length - 1)];
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < letters.length(); i++) {
                replies.add(verdict(response, i, letters.charAt(i)));
            }
            return replies;
        });
    }

    /** A refiner whose k-th refinement of a response {@code P} is {@code P.k} (1-based), between the markers. */
    static ScriptedEndpoint numbering() {
        Map<String, AtomicInteger> made = new ConcurrentHashMap<>();
        return endpoint("refiner", request -> {
            String parent = parentOf(request);
            int k = made.computeIfAbsent(parent, p -> new AtomicInteger()).incrementAndGet();
            return List.of(refined(parent + "." + k));
        });
    }

    /** The response a refinement request rewrites, read from its first turn. */
    static String parentOf(GenerationRequest request) {
        return response(request.messages().get(0).content());
    }
}
