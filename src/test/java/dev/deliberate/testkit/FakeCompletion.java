package dev.deliberate.testkit;

import dev.deliberate.model.Choice;
import dev.deliberate.model.Generation;
import dev.deliberate.model.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One planned completion of the fake server: the tokens of every choice, decided once, then rendered either as a
 * {@code chat.completion} JSON body or as the {@code chat.completion.chunk} SSE events of the OpenAI wire format.
 */
final class FakeCompletion {

    private static final Pattern WORD_BOUNDARY = Pattern.compile("(?<=\\S)(?=\\s)");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    static final long CREATED = 1_700_000_000L;

    /** One SSE event with what it carries, so that faults can cut the stream at the right place. */
    record Event(Kind kind, String data) {
        enum Kind {
            ROLE,
            TOKEN,
            FINISH,
            USAGE,
            DONE
        }

        String wire() {
            return "data: " + data + "\n\n";
        }
    }

    /** A token; {@code top} empty means made-up alternatives ({@code alt1}, {@code alt2}, ...). */
    record Token(String text, double logprob, List<TokenLogprob.Alternative> top) {
        Token {
            top = List.copyOf(top);
        }
    }

    record PlannedChoice(int index, List<Token> tokens, String finishReason) {
        String text() {
            StringBuilder text = new StringBuilder();
            tokens.forEach(token -> text.append(token.text()));
            return text.toString();
        }
    }

    private final JsonMapper mapper;
    private final String id;
    private final String model;
    private final List<PlannedChoice> choices;
    private final long promptTokens;
    private final boolean logprobs;
    private final int topLogprobs;

    private FakeCompletion(
            JsonMapper mapper,
            String id,
            String model,
            List<PlannedChoice> choices,
            long promptTokens,
            boolean logprobs,
            int topLogprobs) {
        this.mapper = mapper;
        this.id = id;
        this.model = model;
        this.choices = choices;
        this.promptTokens = promptTokens;
        this.logprobs = logprobs;
        this.topLogprobs = topLogprobs;
    }

    /**
     * Plans the reply to {@code request}: {@code choiceCount} choices whose texts come from the reply, split into
     * tokens at whitespace and cut at {@code max_tokens}, or as the reply's responder gives them.
     */
    static FakeCompletion plan(
            JsonMapper mapper,
            JsonNode request,
            FakeOpenAiServer.Reply reply,
            int call,
            int choiceCount,
            boolean serverLogprobs,
            int serverMaxTopLogprobs) {
        boolean logprobs = serverLogprobs && request.path("logprobs").asBoolean(false);
        int top = logprobs ? Math.min(request.path("top_logprobs").asInt(0), serverMaxTopLogprobs) : 0;
        String id = "chatcmpl-fake-" + call;
        String model = request.path("model").asString("fake-model");
        FakeOpenAiServer.Responder responder = reply.responder();
        if (responder != null) {
            Generation generation = responder.respond(request, choiceCount, call);
            List<PlannedChoice> choices = new ArrayList<>();
            for (Choice choice : generation.choices()) {
                List<Token> planned = new ArrayList<>();
                if (choice.tokens().isEmpty()) {
                    tokens(choice.text()).forEach(word -> planned.add(new Token(word, -0.1, List.of())));
                } else {
                    choice.tokens()
                            .forEach(token -> planned.add(new Token(token.token(), token.logprob(), token.top())));
                }
                String finish = choice.finishReason() != null ? choice.finishReason() : "stop";
                choices.add(new PlannedChoice(choice.index(), planned, finish));
            }
            long promptTokens = reply.promptTokens() != null
                    ? reply.promptTokens()
                    : generation.usage().promptTokens();
            return new FakeCompletion(mapper, id, model, choices, promptTokens, logprobs, top);
        }
        int maxTokens = request.path("max_tokens")
                .asInt(request.path("max_completion_tokens").asInt(-1));
        List<PlannedChoice> choices = new ArrayList<>();
        for (int i = 0; i < choiceCount; i++) {
            String text = reply.text().text(request, i, call);
            List<String> words = tokens(text);
            boolean cut = maxTokens >= 0 && words.size() > maxTokens;
            List<String> kept = cut ? words.subList(0, maxTokens) : words;
            List<Token> planned = new ArrayList<>();
            for (int t = 0; t < kept.size(); t++) {
                planned.add(new Token(kept.get(t), reply.logprob().logprob(text, t), List.of()));
            }
            choices.add(new PlannedChoice(i, planned, cut ? "length" : "stop"));
        }
        long promptTokens = reply.promptTokens() != null ? reply.promptTokens() : promptWords(request);
        return new FakeCompletion(mapper, id, model, choices, promptTokens, logprobs, top);
    }

    /** Whitespace-split words, each but the first keeping the whitespace before it, so they concatenate back. */
    static List<String> tokens(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        return List.of(WORD_BOUNDARY.split(text));
    }

    private static long promptWords(JsonNode request) {
        long words = 0;
        for (JsonNode message : request.path("messages")) {
            String content = message.path("content").asString("");
            words += content.isBlank() ? 0 : WHITESPACE.split(content.trim()).length;
        }
        return words;
    }

    List<PlannedChoice> choices() {
        return choices;
    }

    long completionTokens() {
        return choices.stream().mapToLong(c -> c.tokens().size()).sum();
    }

    /** The non-streamed {@code chat.completion} body. */
    String json() {
        ObjectNode body = header("chat.completion");
        ArrayNode array = body.putArray("choices");
        for (PlannedChoice choice : choices) {
            ObjectNode node = array.addObject();
            node.put("index", choice.index());
            ObjectNode message = node.putObject("message");
            message.put("role", "assistant");
            message.put("content", choice.text());
            if (logprobs) {
                node.putObject("logprobs").set("content", logprobContent(choice.tokens()));
            } else {
                node.putNull("logprobs");
            }
            node.put("finish_reason", choice.finishReason());
        }
        body.set("usage", usage());
        return mapper.writeValueAsString(body);
    }

    /**
     * The streamed events: a role chunk per choice, then the token chunks with the choices interleaved by position,
     * each choice's finish chunk right after its last token, the usage chunk when asked for, and {@code [DONE]}.
     */
    List<Event> events(boolean includeUsage) {
        List<Event> events = new ArrayList<>();
        for (PlannedChoice choice : choices) {
            ObjectNode delta = mapper.createObjectNode();
            delta.put("role", "assistant");
            delta.put("content", "");
            events.add(new Event(Event.Kind.ROLE, chunk(choice.index(), delta, null, null, includeUsage)));
        }
        int longest = choices.stream().mapToInt(c -> c.tokens().size()).max().orElse(0);
        for (int position = 0; position <= longest; position++) {
            for (PlannedChoice choice : choices) {
                if (position < choice.tokens().size()) {
                    Token token = choice.tokens().get(position);
                    ObjectNode delta = mapper.createObjectNode();
                    delta.put("content", token.text());
                    @Nullable JsonNode tokenLogprobs = logprobs ? logprobContent(List.of(token)) : null;
                    events.add(new Event(
                            Event.Kind.TOKEN, chunk(choice.index(), delta, tokenLogprobs, null, includeUsage)));
                } else if (position == choice.tokens().size()) {
                    events.add(new Event(
                            Event.Kind.FINISH,
                            chunk(
                                    choice.index(),
                                    mapper.createObjectNode(),
                                    null,
                                    choice.finishReason(),
                                    includeUsage)));
                }
            }
        }
        if (includeUsage) {
            ObjectNode usageChunk = header("chat.completion.chunk");
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage());
            events.add(new Event(Event.Kind.USAGE, mapper.writeValueAsString(usageChunk)));
        }
        events.add(new Event(Event.Kind.DONE, "[DONE]"));
        return events;
    }

    private String chunk(
            int index,
            ObjectNode delta,
            @Nullable JsonNode tokenLogprobs,
            @Nullable String finishReason,
            boolean includeUsage) {
        ObjectNode body = header("chat.completion.chunk");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        if (tokenLogprobs != null) {
            choice.putObject("logprobs").set("content", tokenLogprobs);
        } else {
            choice.putNull("logprobs");
        }
        if (finishReason != null) {
            choice.put("finish_reason", finishReason);
        } else {
            choice.putNull("finish_reason");
        }
        if (includeUsage) {
            body.putNull("usage");
        }
        return mapper.writeValueAsString(body);
    }

    private ObjectNode header(String object) {
        ObjectNode body = mapper.createObjectNode();
        body.put("id", id);
        body.put("object", object);
        body.put("created", CREATED);
        body.put("model", model);
        return body;
    }

    private ObjectNode usage() {
        ObjectNode usage = mapper.createObjectNode();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens());
        usage.put("total_tokens", promptTokens + completionTokens());
        return usage;
    }

    /**
     * The token's own alternatives when it has them, else the token itself, then {@code alt1}, {@code alt2}, ... each
     * one nat less likely.
     */
    private ArrayNode logprobContent(List<Token> tokens) {
        ArrayNode content = mapper.createArrayNode();
        for (Token token : tokens) {
            ObjectNode node = logprobNode(content.addObject(), token.text(), token.logprob());
            ArrayNode top = node.putArray("top_logprobs");
            if (!token.top().isEmpty()) {
                token.top().stream()
                        .limit(topLogprobs)
                        .forEach(alternative ->
                                logprobNode(top.addObject(), alternative.token(), alternative.logprob()));
                continue;
            }
            for (int k = 0; k < topLogprobs; k++) {
                logprobNode(top.addObject(), k == 0 ? token.text() : "alt" + k, token.logprob() - k);
            }
        }
        return content;
    }

    private static ObjectNode logprobNode(ObjectNode node, String token, double logprob) {
        node.put("token", token);
        node.put("logprob", logprob);
        ArrayNode bytes = node.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return node;
    }
}
