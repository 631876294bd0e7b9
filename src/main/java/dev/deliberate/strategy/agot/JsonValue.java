package dev.deliberate.strategy.agot;

import dev.deliberate.run.StepNotes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of the JSON the model is asked for. Strategies stay free of wire-format libraries (see the
 * architecture tests), and the replies are small, so this parses RFC 8259 JSON into plain values: {@code Map}
 * (insertion ordered), {@code List}, {@code String}, {@code Double}, {@code Boolean} and {@link #NULL}. Anything
 * else (trailing commas, single quotes, comments, a second value) is an error whose message is sent back to the model
 * in the repair attempt.
 */
final class JsonValue {

    /** JSON {@code null}, kept apart from a missing key. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final int MAX_NESTING = 32;

    private final String text;
    private int at;

    private JsonValue(String text) {
        this.text = text;
    }

    /** Thrown for text that is not one JSON value; the message says where and why. */
    static final class SyntaxError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message);
        }
    }

    /**
     * The JSON object in a model reply: the text between the first {@code {} and the last {@code }}, so that code
     * fences and a sentence around the object do not count against the model; the object itself must be strict.
     */
    /** The longest reply read as JSON; plans and verdicts are a few hundred characters. */
    static final int MAX_REPLY_CHARS = 65_536;

    static Map<String, Object> objectIn(String reply) {
        if (reply.length() > MAX_REPLY_CHARS) {
            // A backend that ignores max_tokens must not grow every later prompt with what it sends.
            throw new SyntaxError("the reply has " + reply.length() + " characters, more than the " + MAX_REPLY_CHARS
                    + " a plan or verdict may have");
        }
        int start = reply.indexOf('{');
        int end = reply.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new SyntaxError("no JSON object found in the reply");
        }
        Object value = parse(reply.substring(start, end + 1));
        if (!(value instanceof Map)) {
            throw new SyntaxError("expected a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        return object;
    }

    static Object parse(String text) {
        JsonValue reader = new JsonValue(text);
        reader.skipSpace();
        Object value = reader.value(0);
        reader.skipSpace();
        if (reader.at != text.length()) {
            throw reader.error("unexpected text after the JSON value");
        }
        return value;
    }

    private Object value(int nesting) {
        if (nesting > MAX_NESTING) {
            throw error("nesting deeper than " + MAX_NESTING);
        }
        if (at >= text.length()) {
            throw error("unexpected end of input");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{':
                return object(nesting);
            case '[':
                return array(nesting);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> object(int nesting) {
        at++;
        Map<String, Object> object = new LinkedHashMap<>();
        skipSpace();
        if (peek('}')) {
            at++;
            return Collections.unmodifiableMap(object);
        }
        while (true) {
            skipSpace();
            if (!peek('"')) {
                throw error("expected a quoted key");
            }
            String key = string();
            if (object.containsKey(key)) {
                throw error("duplicate key \"" + StepNotes.excerpt(key, Replies.QUOTE_LIMIT) + "\"");
            }
            skipSpace();
            expect(':');
            skipSpace();
            object.put(key, value(nesting + 1));
            skipSpace();
            if (peek(',')) {
                at++;
                continue;
            }
            expect('}');
            return Collections.unmodifiableMap(object);
        }
    }

    private List<Object> array(int nesting) {
        at++;
        List<Object> array = new ArrayList<>();
        skipSpace();
        if (peek(']')) {
            at++;
            return Collections.unmodifiableList(array);
        }
        while (true) {
            skipSpace();
            array.add(value(nesting + 1));
            skipSpace();
            if (peek(',')) {
                at++;
                continue;
            }
            expect(']');
            return Collections.unmodifiableList(array);
        }
    }

    private String string() {
        at++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(at++);
            switch (e) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(at + i), 16);
                        if (digit < 0) {
                            throw error("bad \\u escape");
                        }
                        code = code * 16 + digit;
                    }
                    at += 4;
                    out.append((char) code);
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Double number() {
        int start = at;
        if (peek('-')) {
            at++;
        }
        if (peek('0')) {
            at++;
        } else if (digits() == 0) {
            throw error("bad number");
        }
        if (peek('.')) {
            at++;
            if (digits() == 0) {
                throw error("bad number: digits expected after '.'");
            }
        }
        if (peek('e') || peek('E')) {
            at++;
            if (peek('+') || peek('-')) {
                at++;
            }
            if (digits() == 0) {
                throw error("bad number: digits expected in the exponent");
            }
        }
        return Double.valueOf(text.substring(start, at));
    }

    private int digits() {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at - start;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw error("unexpected word");
        }
        at += word.length();
        return value;
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error(at >= text.length() ? "expected '" + c + "' but the input ended" : "expected '" + c + "'");
        }
        at++;
    }

    private SyntaxError error(String message) {
        return new SyntaxError(message + " at offset " + at);
    }
}
