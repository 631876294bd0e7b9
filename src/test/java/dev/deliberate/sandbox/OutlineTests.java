package dev.deliberate.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Outline mode: the structure of sources read with {@code ast} in a box, nothing executed. */
class OutlineTests {

    private static final BubblewrapCodeRunner RUNNER = new BubblewrapCodeRunner(Boxes.small());

    private static List<Outline> outline(String... sources) {
        List<Outline> outlines = RUNNER.outline(List.of(sources)).block(Duration.ofSeconds(30));
        assertThat(outlines).hasSize(sources.length);
        return outlines;
    }

    @Test
    void readsFunctionsSignaturesDocstringsAndImports() {
        String source = "import os, sys\nfrom math import (\n    sqrt,\n)\n\nX = 1\n\n"
                + "def add(a: int, b=2, *rest, key=None, **more) -> int:\n    \"\"\"Adds.\n\n    Twice.\"\"\"\n    return a + b\n\n"
                + "async def fetch(url):\n    return url\n\n"
                + "class C:\n    def method(self):\n        pass\n";

        Outline outline = outline(source).get(0);

        assertThat(outline.parses()).isTrue();
        assertThat(outline.imports()).containsExactly("import os, sys", "from math import (\n    sqrt,\n)");
        assertThat(outline.functions())
                .containsExactly(
                        new Outline.Function(
                                "add",
                                "def add(a: int, b=2, *rest, key=None, **more) -> int",
                                "Adds.\n\nTwice.",
                                false,
                                "def add(a: int, b=2, *rest, key=None, **more) -> int:\n    \"\"\"Adds.\n\n    Twice.\"\"\"\n    return a + b"),
                        new Outline.Function(
                                "fetch", "async def fetch(url)", null, false, "async def fetch(url):\n    return url"));
    }

    @Test
    void detectsStubs() {
        String source = "def a():\n    pass\n\ndef b():\n    \"\"\"Later.\"\"\"\n\ndef c():\n    ...\n\n"
                + "def d(x):\n    \"\"\"Todo.\"\"\"\n    raise NotImplementedError('soon')\n\n"
                + "def e():\n    raise NotImplementedError\n\ndef f():\n    return 1\n\ndef g():\n    raise ValueError()\n";

        Outline outline = outline(source).get(0);

        assertThat(outline.functions())
                .extracting(Outline.Function::name, Outline.Function::stub)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", true),
                        org.assertj.core.groups.Tuple.tuple("b", true),
                        org.assertj.core.groups.Tuple.tuple("c", true),
                        org.assertj.core.groups.Tuple.tuple("d", true),
                        org.assertj.core.groups.Tuple.tuple("e", true),
                        org.assertj.core.groups.Tuple.tuple("f", false),
                        org.assertj.core.groups.Tuple.tuple("g", false));
    }

    @Test
    void keepsDecoratorsInTheSourceButNotTheSignature() {
        String source =
                "import functools\n\n@functools.lru_cache(maxsize=None)\n@staticmethod\ndef fib(n):\n    return n\n";

        Outline.Function fib = outline(source).get(0).functions().get(0);

        assertThat(fib.signature()).isEqualTo("def fib(n)");
        assertThat(fib.source())
                .isEqualTo("@functools.lru_cache(maxsize=None)\n@staticmethod\ndef fib(n):\n    return n");
    }

    @Test
    void reportsSyntaxErrorsPerSource() {
        List<Outline> outlines = outline("def f(:\n    pass\n", "def ok():\n    return 1\n");

        assertThat(outlines.get(0)).isEqualTo(new Outline("line 1: invalid syntax", List.of(), List.of()));
        assertThat(outlines.get(1).functions())
                .extracting(Outline.Function::name)
                .containsExactly("ok");
    }

    @Test
    void executesNothing() {
        Outline outline = outline("import os\nos._exit(1)\nprint('ran')\ndef f():\n    pass\n")
                .get(0);

        assertThat(outline.imports()).containsExactly("import os");
        assertThat(outline.functions()).extracting(Outline.Function::name).containsExactly("f");
    }

    @Test
    void failsDeepNestingAndHugeSourcesCleanly() {
        String deep = "x = " + "(".repeat(100_000) + "1" + ")".repeat(100_000) + "\n";
        String deepLists = "x = " + "[".repeat(5_000) + "]".repeat(5_000) + "\n";
        String huge = "def f():\n    return 1\n".repeat(20_000);

        List<Outline> outlines = outline(deep, deepLists, huge);

        assertThat(outlines.get(0).syntaxError()).isEqualTo("line 1: too many nested parentheses");
        assertThat(outlines.get(1).syntaxError()).isNotNull();
        assertThat(outlines.get(2).parses()).isTrue();
        assertThat(outlines.get(2).functions()).hasSize(20_000);
    }
}
