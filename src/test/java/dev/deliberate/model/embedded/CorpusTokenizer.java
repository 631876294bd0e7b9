package dev.deliberate.model.embedded;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the embedded model's {@code tokenizer.json}: a HuggingFace WordLevel model over pieces cut by one regex (a
 * word or a single digit or a punctuation mark, each with the space before it, or a lone whitespace character), and
 * the {@code Fuse} decoder, which joins the pieces back without adding spaces: decoding inverts encoding exactly for
 * any text whose pieces are in the vocabulary. Digits are single tokens so that the model can add numbers it has
 * never seen as a whole.
 */
final class CorpusTokenizer {

    static final String UNKNOWN = "<unk>";
    static final String END = "<eos>";
    /** The piece regex, as Java reads it; HuggingFace's Oniguruma reads it the same. */
    static final String PIECES = "[ ]?[A-Za-z]+|[ ]?[0-9]|[ ]?[^A-Za-z0-9\\s]|\\s";

    private static final Pattern PATTERN = Pattern.compile(PIECES);

    private CorpusTokenizer() {}

    /** The vocabulary: the special tokens, then every piece of {@code texts} in sorted order (deterministic). */
    static List<String> vocabulary(Iterable<String> texts) {
        Set<String> pieces = new TreeSet<>();
        for (String text : texts) {
            pieces.addAll(pieces(text));
        }
        Set<String> vocabulary = new LinkedHashSet<>(List.of(UNKNOWN, END));
        vocabulary.addAll(pieces);
        return List.copyOf(vocabulary);
    }

    /** The pieces of {@code text}, in order: their concatenation is the text. */
    static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher matcher = PATTERN.matcher(text);
        while (matcher.find()) {
            pieces.add(matcher.group());
        }
        return pieces;
    }

    static String json(List<String> vocabulary) {
        StringJoiner vocab = new StringJoiner(",\n      ", "{\n      ", "\n    }");
        for (int id = 0; id < vocabulary.size(); id++) {
            vocab.add(quote(vocabulary.get(id)) + ": " + id);
        }
        String added = special(0, UNKNOWN) + ",\n    " + special(1, END);
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [
                    %s
                  ],
                  "normalizer": null,
                  "pre_tokenizer": {"type": "Split", "pattern": {"Regex": %s}, "behavior": "Isolated", "invert": false},
                  "post_processor": null,
                  "decoder": {"type": "Fuse"},
                  "model": {
                    "type": "WordLevel",
                    "vocab": %s,
                    "unk_token": "<unk>"
                  }
                }
                """.formatted(added, quote(PIECES), vocab);
    }

    private static String special(int id, String content) {
        return "{\"id\": " + id + ", \"content\": \"" + content + "\", \"single_word\": false, \"lstrip\": false,"
                + " \"rstrip\": false, \"normalized\": false, \"special\": true}";
    }

    private static String quote(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\t' -> json.append("\\t");
                case '\r' -> json.append("\\r");
                default -> json.append(c);
            }
        }
        return json.append('"').toString();
    }
}
