package dev.deliberate.strategy.funcoder;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Choice;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * A scripted coder: it recognises which FunCoder prompt it got, and for which function, from the shipped templates'
 * wording, and answers with the next of the replies scripted for that pair (cycling), one per choice. Unscripted
 * pairs get a reply without code.
 */
final class CoderModel {

    enum Prompt {
        DIVIDE(Pattern.compile("Write the function `(\\w+)`")),
        CONQUER(Pattern.compile("Implement the function `(\\w+)`")),
        TESTS(Pattern.compile("calls of `(\\w+)`, one per line")),
        SYSTEM_TESTS(Pattern.compile("`assert (\\w+)\\(<arguments>\\)"));

        private final Pattern marker;

        Prompt(Pattern marker) {
            this.marker = marker;
        }
    }

    /** A prompt's kind and the function it is about. */
    record Asked(Prompt prompt, String function) {
        @Override
        public String toString() {
            return prompt + " " + function;
        }
    }

    private final Map<String, List<String>> script = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
    private final List<String> asked = Collections.synchronizedList(new ArrayList<>());
    private final List<String> prompts = Collections.synchronizedList(new ArrayList<>());

    /** Scripts {@code replies} for {@code prompt} about {@code function}; each is sent inside a Python fence. */
    CoderModel on(Prompt prompt, String function, String... codes) {
        List<String> replies = new ArrayList<>();
        for (String code : codes) {
            replies.add("Here it is.\n\n```python\n" + code + "\n```");
        }
        script.put(prompt + " " + function, replies);
        return this;
    }

    /** Scripts replies sent as they are, without a fence. */
    CoderModel onRaw(Prompt prompt, String function, String... replies) {
        script.put(prompt + " " + function, List.of(replies));
        return this;
    }

    static Asked read(String prompt) {
        for (Prompt kind : Prompt.values()) {
            Matcher matcher = kind.marker.matcher(prompt);
            if (matcher.find()) {
                return new Asked(kind, matcher.group(1));
            }
        }
        throw new AssertionError("not a FunCoder prompt: " + prompt);
    }

    /** The reply to one choice of a request with this prompt. */
    String reply(String prompt) {
        String key = read(prompt).toString();
        List<String> replies = script.get(key);
        if (replies == null) {
            return "I cannot help with that.";
        }
        int next = served.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement();
        return replies.get(next % replies.size());
    }

    /** An endpoint that returns n choices per request and logs each request as "PROMPT function". */
    ScriptedEndpoint endpoint() {
        return new ScriptedEndpoint("local", Capabilities.full(Capabilities.Source.CONFIGURED), (request, call) -> {
            String prompt = lastMessage(request);
            asked.add(read(prompt).toString());
            prompts.add(prompt);
            List<Choice> choices = new ArrayList<>();
            for (int i = 0; i < request.n(); i++) {
                choices.add(ScriptedEndpoint.choice(i, reply(prompt)));
            }
            return Mono.just(ScriptedEndpoint.generation("local", choices));
        });
    }

    /** Every request so far, as "PROMPT function", in arrival order. */
    List<String> asked() {
        return List.copyOf(asked);
    }

    /** The prompts of the requests so far, in arrival order. */
    List<String> prompts() {
        return List.copyOf(prompts);
    }

    private static String lastMessage(GenerationRequest request) {
        List<ChatMessage> messages = request.messages();
        return messages.get(messages.size() - 1).content();
    }
}
