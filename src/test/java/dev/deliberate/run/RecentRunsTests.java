package dev.deliberate.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.deliberate.model.GenerationRequest;
import dev.deliberate.testkit.ScriptedEndpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

class RecentRunsTests {

    @Test
    void forgetsTheOldestRunBeyondItsCapacity() {
        RecentRuns recent = new RecentRuns(2);
        Strategy echo = (problem, run) -> run.generate("solver", GenerationRequest.of(problem.messages()))
                .map(generation -> Solution.of(null, generation.choices().get(0).text(), null));
        Plan plan = new Plan(
                "echo", "echo", echo, Map.of("solver", ScriptedEndpoint.cycling("local", "hi")), Runs.GENEROUS);
        RunService service = new RunService(
                name -> Optional.of(plan),
                Runs.GENEROUS,
                recent,
                Clock.systemUTC(),
                8,
                Schedulers.parallel(),
                new SimpleMeterRegistry());

        String first =
                service.start(RunRequest.of("echo", Problem.of("1", null))).runId();
        String second =
                service.start(RunRequest.of("echo", Problem.of("2", null))).runId();
        String third =
                service.start(RunRequest.of("echo", Problem.of("3", null))).runId();

        assertThat(recent.find(first)).isEmpty();
        assertThat(recent.find(second)).map(RunResult::runId).contains(second);
        assertThat(recent.find(third)).map(RunResult::runId).contains(third);
        assertThat(recent.ids()).containsExactly(second, third);
    }

    @Test
    void refusesANonPositiveCapacity() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RecentRuns(0)).withMessageContaining("capacity");
    }
}
