package dev.deliberate.run;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The append-only record of what a run executed: steps with parent links, published live as they start and end.
 * Thread-safe; sub-runs write into their parent's trace.
 */
public final class Trace {

    private final Clock clock;
    private final Map<String, Step> steps = new LinkedHashMap<>();
    private final Map<String, Integer> ordinals = new HashMap<>();
    private final Sinks.Many<Step> live = Sinks.many().unicast().onBackpressureBuffer();
    private int nextId;

    public Trace(Clock clock) {
        this.clock = clock;
    }

    /** Opens a step under {@code parentId} and publishes it as RUNNING. */
    public synchronized Step open(
            @Nullable String parentId,
            StepKind kind,
            String name,
            @Nullable String endpoint,
            Map<String, Object> notes) {
        String parentPath = parentId == null ? "" : steps.get(parentId).path() + "/";
        String base = parentPath + name;
        int ordinal = ordinals.merge(base, 1, Integer::sum) - 1;
        String id = "s" + nextId++;
        Step step = new Step(
                id,
                parentId,
                base + "#" + ordinal,
                kind,
                name,
                endpoint,
                clock.instant(),
                null,
                Step.Status.RUNNING,
                RunUsage.ZERO,
                notes);
        steps.put(id, step);
        live.tryEmitNext(step);
        return step;
    }

    /** Ends a step once; later calls for the same step are ignored (a cancel racing a completion). */
    public synchronized void close(String id, Step.Status status, RunUsage usage, Map<String, Object> notes) {
        Step open = steps.get(id);
        if (open == null || open.status() != Step.Status.RUNNING) {
            return;
        }
        Map<String, Object> merged = new LinkedHashMap<>(open.notes());
        merged.putAll(notes);
        Step closed = open.finish(clock.instant(), status, usage, merged);
        steps.put(id, closed);
        live.tryEmitNext(closed);
    }

    public synchronized @Nullable Step find(String id) {
        return steps.get(id);
    }

    /** The steps in the order they were opened, each in its latest state. */
    public synchronized List<Step> steps() {
        return List.copyOf(steps.values());
    }

    /** Steps as they start and end; completes when the run is over. One subscriber. */
    public Flux<Step> live() {
        return live.asFlux();
    }

    synchronized void complete() {
        live.tryEmitComplete();
    }

    /**
     * The longest chain of non-overlapping finished leaf steps (weighted interval scheduling over their time spans),
     * which bounds the run's wall time from below.
     */
    public synchronized CriticalPath criticalPath() {
        Set<String> parents = new HashSet<>();
        for (Step step : steps.values()) {
            if (step.parentId() != null) {
                parents.add(step.parentId());
            }
        }
        List<Step> leaves = new ArrayList<>();
        for (Step step : steps.values()) {
            if (!parents.contains(step.id()) && step.end() != null && step.kind() != StepKind.RUN) {
                leaves.add(step);
            }
        }
        if (leaves.isEmpty()) {
            return CriticalPath.EMPTY;
        }
        leaves.sort(Comparator.comparing(Step::end));
        int count = leaves.size();
        long[] best = new long[count];
        int[] previous = new int[count];
        int[] bestUpTo = new int[count]; // index of the best chain ending at or before i
        for (int i = 0; i < count; i++) {
            Step step = leaves.get(i);
            int j = lastEndingBy(leaves, i, step);
            long own = nanos(step);
            best[i] = own + (j < 0 ? 0 : best[bestUpTo[j]]);
            previous[i] = j < 0 ? -1 : bestUpTo[j];
            bestUpTo[i] = i == 0 || best[i] > best[bestUpTo[i - 1]] ? i : bestUpTo[i - 1];
        }
        List<String> chain = new ArrayList<>();
        for (int i = bestUpTo[count - 1]; i >= 0; i = previous[i]) {
            chain.add(0, leaves.get(i).id());
        }
        return new CriticalPath(Duration.ofNanos(best[bestUpTo[count - 1]]), chain);
    }

    private static int lastEndingBy(List<Step> sortedByEnd, int before, Step step) {
        int low = 0;
        int high = before - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (!sortedByEnd.get(mid).end().isAfter(step.start())) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    private static long nanos(Step step) {
        return Duration.between(step.start(), step.end()).toNanos();
    }
}
