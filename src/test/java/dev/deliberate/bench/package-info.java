/**
 * Benchmarks, run by hand from one Maven command ({@code mvn -q -Pbench verify}) and never by surefire: no class here
 * ends in {@code Test} or {@code Tests} except the unit tests of the harness's own arithmetic.
 * {@link dev.deliberate.bench.OverheadBenchmark} measures the service's orchestration overhead against the critical
 * path on the fixed-latency {@link dev.deliberate.testkit.FakeOpenAiServer}. May depend on the whole application and
 * the test kit; nothing depends on it.
 */
@NullMarked
package dev.deliberate.bench;

import org.jspecify.annotations.NullMarked;
