package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerKindTests {

    @ParameterizedTest
    @CsvSource({"math,MATH", "MATH,MATH", "Choice,CHOICE", "code,CODE", "tExT,TEXT", "' text ',TEXT"})
    void readsWireNameIgnoringCase(String name, AnswerKind kind) {
        var read = AnswerKind.fromWireName(name);

        assertThat(read).contains(kind);
    }

    @Test
    void rejectsUnknownName() {
        assertThat(AnswerKind.fromWireName("number")).isEmpty();
        assertThat(AnswerKind.fromWireName("")).isEmpty();
    }

    @Test
    void wireNamesAreLowerCase() {
        assertThat(AnswerKind.values())
                .extracting(AnswerKind::wireName)
                .containsExactly("math", "choice", "code", "text");
    }

    @Test
    void ignoresDefaultLocaleWhenReadingNames() {
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            var read = AnswerKind.fromWireName("CHOICE");

            assertThat(read).contains(AnswerKind.CHOICE);
        } finally {
            Locale.setDefault(saved);
        }
    }
}
