package dev.deliberate.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceTests {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(long millis) {
            now = now.plusMillis(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void criticalPathIsTheLongestChainOfSequentialLeafSteps() {
        // root: two parallel calls (100 ms and 300 ms), then one call of 50 ms after both.
        ManualClock clock = new ManualClock();
        Trace trace = new Trace(clock);
        Step root = trace.open(null, StepKind.RUN, "p", null, Map.of());
        Step a = trace.open(root.id(), StepKind.GENERATE, "solver", "local", Map.of());
        Step b = trace.open(root.id(), StepKind.GENERATE, "solver", "local", Map.of());
        clock.advance(100);
        trace.close(a.id(), Step.Status.OK, RunUsage.ZERO, Map.of());
        clock.advance(200);
        trace.close(b.id(), Step.Status.OK, RunUsage.ZERO, Map.of());
        Step c = trace.open(root.id(), StepKind.VOTE, "majority", null, Map.of());
        clock.advance(50);
        trace.close(c.id(), Step.Status.OK, RunUsage.ZERO, Map.of());
        trace.close(root.id(), Step.Status.OK, RunUsage.ZERO, Map.of());

        CriticalPath path = trace.criticalPath();

        assertThat(path.length()).isEqualTo(Duration.ofMillis(350));
        assertThat(path.stepIds()).containsExactly(b.id(), c.id());
    }

    @Test
    void groupStepsCountThroughTheirChildrenOnly() {
        ManualClock clock = new ManualClock();
        Trace trace = new Trace(clock);
        Step root = trace.open(null, StepKind.RUN, "p", null, Map.of());
        Step group = trace.open(root.id(), StepKind.GROUP, "layer", null, Map.of());
        Step child = trace.open(group.id(), StepKind.GENERATE, "solver", "local", Map.of());
        clock.advance(40);
        trace.close(child.id(), Step.Status.OK, RunUsage.ZERO, Map.of());
        clock.advance(500);
        trace.close(group.id(), Step.Status.OK, RunUsage.ZERO, Map.of());

        assertThat(trace.criticalPath().length()).isEqualTo(Duration.ofMillis(40));
        assertThat(trace.criticalPath().stepIds()).containsExactly(child.id());
    }

    @Test
    void pathsNumberSiblingsOfTheSameNameAndStepsCloseOnce() {
        Trace trace = new Trace(new ManualClock());
        Step root = trace.open(null, StepKind.RUN, "p", null, Map.of());
        Step first = trace.open(root.id(), StepKind.GENERATE, "solver", null, Map.of());
        Step second = trace.open(root.id(), StepKind.GENERATE, "solver", null, Map.of());

        trace.close(first.id(), Step.Status.CANCELLED, RunUsage.ZERO, Map.of());
        trace.close(first.id(), Step.Status.OK, RunUsage.ZERO, Map.of());

        assertThat(first.path()).isEqualTo("p#0/solver#0");
        assertThat(second.path()).isEqualTo("p#0/solver#1");
        assertThat(trace.find(first.id()).status()).isEqualTo(Step.Status.CANCELLED);
    }
}
