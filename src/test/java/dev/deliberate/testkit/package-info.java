/**
 * Test kit shared by the test suites: {@link dev.deliberate.testkit.ScriptedEndpoint}, an in-memory endpoint for unit
 * tests, and {@link dev.deliberate.testkit.FakeOpenAiServer}, a loopback OpenAI-compatible server with scripted replies
 * and faults for integration tests. The calibrated simulated model for strategy benchmarks lives in
 * {@code testkit.synthetic}.
 */
@NullMarked
package dev.deliberate.testkit;

import org.jspecify.annotations.NullMarked;
