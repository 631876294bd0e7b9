package dev.deliberate.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalOptionsTests {

    @Test
    void readsOwnOptionsInBothFormsAndLeavesPropertiesToSpring() {
        EvalOptions options = EvalOptions.parse(List.of(
                "--dataset",
                "data.jsonl",
                "--profiles=direct,rpc@n=4",
                "--limit",
                "20",
                "--format=HumanEval",
                "--concurrency",
                "3",
                "--deliberate.endpoints.local.base-url=http://127.0.0.1:9000/v1"));

        assertThat(options.dataset()).isEqualTo(Path.of("data.jsonl"));
        assertThat(options.profiles()).extracting(ProfileVariant::label).containsExactly("direct", "rpc@n=4");
        assertThat(options.limit()).isEqualTo(20);
        assertThat(options.out()).isEqualTo(Path.of("target", "eval"));
        assertThat(options.format()).isEqualTo(DatasetFormat.HUMANEVAL);
        assertThat(options.concurrency()).isEqualTo(3);
        assertThat(options.seed()).isEqualTo(1);
        assertThat(options.springArgs())
                .containsExactly("--deliberate.endpoints.local.base-url=http://127.0.0.1:9000/v1");
    }

    @Test
    void refusesAMisspeltOptionAndABadNumber() {
        assertThatThrownBy(() -> EvalOptions.parse(List.of("--dataset", "d", "--profiles", "direct", "--limt", "5")))
                .hasMessage("unknown option '--limt' (Spring properties are written --key=value)");
        assertThatThrownBy(() -> EvalOptions.parse(List.of("--dataset", "d", "--profiles", "direct", "--limit=0")))
                .hasMessage("--limit: must be a positive integer, was '0'");
        assertThatThrownBy(() -> EvalOptions.parse(List.of("--dataset", "d", "--profiles", "direct", "--format=csv")))
                .hasMessage("--format: 'csv' is neither gsm8k nor humaneval");
    }
}
