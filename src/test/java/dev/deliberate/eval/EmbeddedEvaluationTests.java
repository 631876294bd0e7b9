package dev.deliberate.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.DeliberateApplication;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation command on the embedded model, as docs/benchmarks.md runs it: the self-evaluation profiles run on it
 * (their question fits its context and it answers Yes or No), and a second run repeats the first exactly, because
 * problem {@code i} runs with seed {@code seed + i} and the model decodes each request alone.
 */
class EmbeddedEvaluationTests {

    @TempDir
    Path dir;

    @Test
    void selfEvaluationProfilesRunOnTheEmbeddedModelAndTheTableRepeats() throws IOException {
        List<String> args = List.of(
                "--dataset",
                "data/arithmetic-test.jsonl",
                "--limit",
                "5",
                "--profiles",
                "direct@temperature=0,rpc@n=4,adaptive@max-samples=4,prune@n=4",
                "--concurrency",
                "2",
                "--deliberate.embedded.enabled=true");

        List<List<String>> first = EvalTableRows.read(eval(args, dir.resolve("first")));
        List<List<String>> second = EvalTableRows.read(eval(args, dir.resolve("second")));

        assertThat(first).hasSize(4);
        for (List<String> row : first) {
            assertThat(row.get(1)).isEqualTo("5");
            assertThat(row.get(5)).as("failures of " + row.get(0)).isEqualTo("0");
        }
        // adaptive: at least one sample and its score per problem; prune: 4 streams, each scored at least once
        assertThat(Double.parseDouble(first.get(2).get(3))).isGreaterThanOrEqualTo(2.0);
        assertThat(Double.parseDouble(first.get(3).get(3))).isGreaterThanOrEqualTo(8.0);
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllLines(dir.resolve("first/eval-results.jsonl")))
                .hasSize(20)
                .allMatch(line -> line.contains("\"status\":\"succeeded\""));
    }

    private static String eval(List<String> args, Path out) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(args);
        all.add("--out");
        all.add(out.toString());
        int status = EvalCommand.run(
                DeliberateApplication.class,
                all,
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8),
                false);
        assertThat(status).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        return stdout.toString(StandardCharsets.UTF_8);
    }
}
