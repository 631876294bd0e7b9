package dev.deliberate.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.DeliberateApplication;
import dev.deliberate.testkit.FakeOpenAiServer;
import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole command in process against the loopback fake: six GSM8K-format problems, {@code direct} and
 * {@code self-consistency} with three samples. The fake answers by question and choice index, so every grade is known.
 */
class EvalCommandTests {

    private static final FakeOpenAiServer BACKEND = FakeOpenAiServer.start();

    @TempDir
    Path dir;

    @AfterAll
    static void stopBackend() {
        BACKEND.close();
    }

    /**
     * Choice 0 is what {@code direct} sees; self-consistency votes over choices 0 to 2. Q1 and Q3 everyone gets right,
     * Q2 and Q5 only the vote, Q4 only choice 0, Q6 fails at the backend with a 400.
     */
    private static String answer(String request, int choice) {
        if (request.contains("Q1")) {
            return "Sixteen minus three minus four is nine, times two. The answer is 18.";
        }
        if (request.contains("Q2")) {
            return choice == 0 ? "The answer is 4." : "The answer is 3.";
        }
        if (request.contains("Q3")) {
            return "The answer is 70,000.";
        }
        if (request.contains("Q4")) {
            return choice == 0 ? "The answer is 540." : "The answer is 500.";
        }
        return choice == 0 ? "I do not know." : "The answer is 20.";
    }

    private Path dataset() throws IOException {
        List<String> lines = List.of(
                "{\"question\": \"Q1: eggs?\", \"answer\": \"9 * 2 = 18\\n#### 18\"}",
                "{\"question\": \"Q2: bolts?\", \"answer\": \"#### 3\"}",
                "{\"question\": \"Q3: profit?\", \"answer\": \"#### 70000\"}",
                "{\"question\": \"Q4: meters?\", \"answer\": \"#### 540\"}",
                "{\"question\": \"Q5: cups?\", \"answer\": \"#### 20\"}",
                "{\"question\": \"Q6: broken?\", \"answer\": \"#### 1\"}");
        return Files.writeString(dir.resolve("five.jsonl"), String.join("\n", lines) + "\n");
    }

    private record Outcome(int status, String out, String err) {}

    private Outcome eval(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--deliberate.endpoints.local.base-url=" + BACKEND.baseUrl());
        all.add("--deliberate.endpoints.local.model=fake-model");
        all.add("--deliberate.endpoints.local.retry.initial-backoff=10ms");
        // Configured, not probed: a slow probe would leave n > 1 assumed off and change the counts.
        all.add("--deliberate.endpoints.local.capabilities.multiple-choices=true");
        all.add("--deliberate.endpoints.local.capabilities.logprobs=true");
        all.add("--deliberate.endpoints.local.capabilities.max-top-logprobs=5");
        int status = EvalCommand.run(
                DeliberateApplication.class,
                all,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runsEveryProfileOverTheDatasetAndWritesTableAndPlot() throws IOException {
        BACKEND.reset();
        BACKEND.reply(
                request -> request.toString().contains("Q6"),
                Reply.failing(Fault.HTTP_ERROR).status(400));
        BACKEND.defaultReply(Reply.text((request, choice, call) -> answer(request.toString(), choice)));
        Path out = dir.resolve("out");

        Outcome outcome = eval(
                "--dataset",
                dataset().toString(),
                "--profiles",
                "direct,self-consistency@n=3",
                "--out",
                out.toString(),
                "--concurrency",
                "2");

        assertThat(outcome.status()).as(outcome.err()).isZero();
        String table = Files.readString(out.resolve("eval.md"));
        assertThat(outcome.out()).startsWith(table);
        assertThat(EvalTableRows.read(table))
                .as(outcome.err())
                .containsExactly(
                        // Q6's failed call counts; tokens are the fake's words: 13 + 4 * 4 = 29 and 3 * 29 = 87
                        List.of("direct", "6", "50.0% (3/6)", "1.00", "4.8", "1"),
                        List.of("self-consistency@n=3", "6", "66.7% (4/6)", "1.00", "14.5", "1"));
        String svg = Files.readString(out.resolve("eval.svg"));
        assertThat(svg).startsWith("<svg ");
        assertThat(count(svg, "class=\"mark\" data-profile=\"direct\"")).isEqualTo(3);
        assertThat(count(svg, "class=\"mark\" data-profile=\"self-consistency@n=3\""))
                .isEqualTo(3);
        assertThat(count(svg, "class=\"mark\"")).isEqualTo(6);
        assertThat(count(svg, "class=\"panel\"")).isEqualTo(3);
        assertThat(Files.readAllLines(out.resolve("eval-results.jsonl"))).hasSize(12);
        assertThat(outcome.err())
                .contains("direct: 6 problems")
                .contains("self-consistency@n=3: 6 problems")
                .contains("6/6  accuracy  50.0%")
                .contains("6/6  accuracy  66.7%");
        // every self-consistency request asked for the variant's three samples
        assertThat(BACKEND.requests().stream()
                        .filter(request -> request.path("n").asInt(1) == 3)
                        .count())
                .isEqualTo(6);
    }

    @Test
    void anUnknownProfileEndsTheCommandNamingIt() throws IOException {
        BACKEND.reset();

        Outcome outcome = eval("--dataset", dataset().toString(), "--profiles", "direct,nonesuch@n=2");

        assertThat(outcome.status()).isEqualTo(1);
        assertThat(outcome.err()).startsWith("eval: --profiles: no profile named 'nonesuch'; known profiles: ");
        assertThat(BACKEND.calls()).isZero();
    }

    @Test
    void badArgumentsPrintTheUsage() {
        Outcome outcome = eval("--profiles", "direct");

        assertThat(outcome.status()).isEqualTo(2);
        assertThat(outcome.err()).startsWith("eval: --dataset: missing\nusage: java -jar deliberate.jar eval");
    }

    private static int count(String text, String needle) {
        Matcher matcher = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
