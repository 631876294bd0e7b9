package dev.deliberate.strategy.agot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonValueTests {

    @Test
    void readsEveryKindOfValue() {
        Object value = JsonValue.parse(
                "{\"s\": \"a\\\"b\\\\c\\n\\u00e9\", \"n\": -1.5e2, \"z\": 0, \"t\": true, \"f\": false, \"x\": null,"
                        + " \"a\": [1, [], {}]}");

        assertThat(value).isInstanceOf(Map.class);
        Map<?, ?> object = (Map<?, ?>) value;
        assertThat(object.get("s")).isEqualTo("a\"b\\c\né");
        assertThat(object.get("n")).isEqualTo(-150.0);
        assertThat(object.get("z")).isEqualTo(0.0);
        assertThat(object.get("t")).isEqualTo(true);
        assertThat(object.get("f")).isEqualTo(false);
        assertThat(object.get("x")).isSameAs(JsonValue.NULL);
        assertThat(object.get("a")).isEqualTo(List.of(1.0, List.of(), Map.of()));
    }

    @Test
    void findsTheObjectInsideACodeFence() {
        Map<String, Object> object = JsonValue.objectIn("Here you go:\n```json\n{\"answer\": \"4\"}\n```");

        assertThat(object).containsExactly(Map.entry("answer", "4"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"a\": 1,}",
                "{'a': 1}",
                "{\"a\": 01}",
                "{\"a\": 1} {\"b\": 2}",
                "{\"a\": \"x}",
                "{\"a\": tru}",
                "{\"a\": 1, \"a\": 2}",
                "{\"a\": \"\\q\"}",
                "{\"a\" 1}",
                "[1, 2]",
                "no json here"
            })
    void refusesAnythingThatIsNotStrictJson(String text) {
        assertThatThrownBy(() -> JsonValue.objectIn(text)).isInstanceOf(JsonValue.SyntaxError.class);
    }

    @Test
    void sayWhereTheErrorIs() {
        assertThatThrownBy(() -> JsonValue.parse("{\"a\": [1 2]}")).hasMessage("expected ']' at offset 9");
    }

    @Test
    void aReplyLongerThanAnyPlanIsRefusedBeforeParsing() {
        String huge = "{\"title\": \"" + "x".repeat(JsonValue.MAX_REPLY_CHARS) + "\"}";

        assertThatThrownBy(() -> JsonValue.objectIn(huge))
                .isInstanceOf(JsonValue.SyntaxError.class)
                .hasMessage("the reply has " + huge.length() + " characters, more than the 65536 a plan or verdict"
                        + " may have");
    }

    @Test
    void nestingDeeperThanTheLimitIsRefusedNotOverflowed() {
        String deep = "{\"a\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}";

        assertThatThrownBy(() -> JsonValue.objectIn(deep)).isInstanceOf(JsonValue.SyntaxError.class);
    }
}
