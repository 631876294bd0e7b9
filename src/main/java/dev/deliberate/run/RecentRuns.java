package dev.deliberate.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The last {@code capacity} runs by id, finished or still running; the oldest is forgotten first. */
public final class RecentRuns {

    private final Map<String, Supplier<RunResult>> runs;

    public RecentRuns(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.runs = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Supplier<RunResult>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Registers a run; {@code snapshot} is asked each time the run is looked up. */
    synchronized void put(String runId, Supplier<RunResult> snapshot) {
        runs.put(runId, snapshot);
    }

    public Optional<RunResult> find(String runId) {
        Supplier<RunResult> snapshot;
        synchronized (this) {
            snapshot = runs.get(runId);
        }
        return Optional.ofNullable(snapshot).map(Supplier::get);
    }

    /** The ids held, oldest first. */
    public synchronized List<String> ids() {
        return List.copyOf(runs.keySet());
    }

    public synchronized int size() {
        return runs.size();
    }
}
