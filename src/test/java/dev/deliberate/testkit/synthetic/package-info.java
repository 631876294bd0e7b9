/**
 * A calibrated synthetic model for measuring what probability-aware strategies buy without model weights:
 * {@link dev.deliberate.testkit.synthetic.SyntheticModel} simulates an LLM over numbered math problems with known
 * answers, per-problem accuracy, colliding wrong answers, token logprobs that separate correct from wrong paths by a
 * configured amount and a one-token self-evaluation whose P(Yes) tracks correctness. It is an in-memory
 * {@link dev.deliberate.model.Endpoint} and can answer behind {@link dev.deliberate.testkit.FakeOpenAiServer}. Depends
 * on the model SPI and the test kit only; see {@code docs/synthetic-model.md}.
 */
@NullMarked
package dev.deliberate.testkit.synthetic;

import org.jspecify.annotations.NullMarked;
