package dev.deliberate.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CodeAnswerExtractionTests {

    private final AnswerExtractor extractor = new AnswerExtractor();

    static Stream<Arguments> responses() {
        return Stream.of(
                Arguments.of(
                        "Here:\n```python\ndef f(x):  \n    return x + 1\n```\nDone.",
                        "def f(x):  \n    return x + 1",
                        "def f(x):\n    return x + 1"),
                Arguments.of("```\nprint(1)\n```\nBetter:\n```py\nprint(2)\n```", "print(2)", "print(2)"),
                Arguments.of("~~~python\nx = 1\n~~~", "x = 1", "x = 1"),
                Arguments.of("````markdown\n```\ninner\n```\n````", "```\ninner\n```", "```\ninner\n```"),
                Arguments.of("Windows:\r\n```\r\na = 1 \r\nb = 2\r\n```\r\n", "a = 1 \r\nb = 2\r", "a = 1\nb = 2"),
                Arguments.of("```python\n\n\nx = 1\n\n\ny = 2\n\n```", "\n\nx = 1\n\n\ny = 2\n", "x = 1\n\n\ny = 2"),
                Arguments.of(
                        "Cut off:\n```python\ndef f():\n    return 1",
                        "def f():\n    return 1",
                        "def f():\n    return 1"),
                Arguments.of("```\ndone()\n```\nthen ```inline``` text", "done()", "done()"),
                Arguments.of("  def g():\n      pass   \n", "def g():\n      pass", "  def g():\n      pass"),
                Arguments.of("use ```x = 1``` here", "use ```x = 1``` here", "use ```x = 1``` here"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void extractsLastFencedBlock(String response, String raw, String canonical) {
        var answer = extractor.extract(AnswerKind.CODE, response);

        assertThat(answer).contains(new Answer(AnswerKind.CODE, raw, canonical));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("empty")
    void findsNoCodeInBlankResponseOrEmptyBlock(String response) {
        var answer = extractor.extract(AnswerKind.CODE, response);

        assertThat(answer).isEmpty();
    }

    static Stream<String> empty() {
        return Stream.of("", "  \n ", "```\n```", "```python\n   \n```");
    }
}
