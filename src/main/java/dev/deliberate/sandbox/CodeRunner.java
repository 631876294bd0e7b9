package dev.deliberate.sandbox;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Runs Python in a fresh box per call. Implementations bound how many boxes run at once and never block the caller's
 * thread; cancelling the returned Mono kills the box's processes.
 */
public interface CodeRunner {

    /** Whether isolation was verified on this machine; when it was not, every call fails with {@link SandboxUnavailableException}. */
    SandboxStatus status();

    /** Loads {@code program.source()} as a module in a fresh box, then runs each of its calls in order. */
    Mono<Execution> execute(Program program);

    /**
     * The structure of each source (functions, signatures, docstrings, imports), read with Python's {@code ast} inside
     * a box, so that no model-written code is parsed or run in the JVM and none of it is executed.
     */
    Mono<List<Outline>> outline(List<String> sources);
}
