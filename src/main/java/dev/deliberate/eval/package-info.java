/**
 * The evaluation command ({@code java -jar deliberate.jar eval ...}): reads a GSM8K- or HumanEval-format dataset, runs
 * each requested profile over it through the {@link dev.deliberate.run.RunService} in process, grades every answer
 * (numerically for math, with the dataset's own tests in the sandbox for code) and writes a markdown table and an SVG
 * plot of accuracy against compute, with a progress bar on stderr while it runs.
 *
 * <p>Depends on {@code run}, {@code profile}, {@code answer} and {@code sandbox}; nothing in the service depends on it
 * but the application's {@code main}, which hands it the {@code eval} arguments.
 */
@NullMarked
package dev.deliberate.eval;

import org.jspecify.annotations.NullMarked;
