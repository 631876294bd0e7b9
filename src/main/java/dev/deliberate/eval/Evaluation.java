package dev.deliberate.eval;

import dev.deliberate.run.BudgetOverrides;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs profiles over a dataset through the {@link RunService}, one profile after another, up to {@code concurrency}
 * problems of a profile at once, and grades every run. Problem {@code i} runs with seed {@code seed + i} under every
 * profile, so that an evaluation repeats on backends that honour seeds.
 *
 * <p>A run that fails counts as wrong and as a failure; an error of the engine itself (a profile unknown, overload)
 * or of grading (no sandbox) fails the returned Mono, because the table would otherwise lie.
 */
public final class Evaluation {

    private final RunService runs;
    private final Grader grader;
    private final Progress progress;
    private final int concurrency;
    private final long seed;

    /** @param concurrency problems of one profile in flight at once, at least 1 */
    public Evaluation(RunService runs, Grader grader, Progress progress, int concurrency, long seed) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        this.runs = runs;
        this.grader = grader;
        this.progress = progress;
        this.concurrency = concurrency;
        this.seed = seed;
    }

    /** Every variant over every problem of {@code dataset}, in the order given. */
    public Mono<EvalResult> run(Dataset dataset, List<ProfileVariant> variants) {
        return Flux.fromIterable(variants)
                .concatMap(variant -> profile(dataset, variant))
                .collectList()
                .map(perProfile -> {
                    List<ProfileScore> scores = new ArrayList<>();
                    List<ProblemOutcome> outcomes = new ArrayList<>();
                    for (int i = 0; i < perProfile.size(); i++) {
                        scores.add(ProfileScore.of(variants.get(i).label(), perProfile.get(i)));
                        outcomes.addAll(perProfile.get(i));
                    }
                    return new EvalResult(dataset, scores, outcomes);
                });
    }

    private Mono<List<ProblemOutcome>> profile(Dataset dataset, ProfileVariant variant) {
        List<EvalProblem> problems = dataset.problems();
        return Mono.fromRunnable(() -> progress.start(variant.label(), problems.size()))
                .thenMany(Flux.range(0, problems.size())
                        .flatMapSequential(i -> solve(variant, problems.get(i), seed + i), concurrency, 1))
                .doOnNext(outcome -> progress.done(outcome.correct()))
                .collectList()
                .doOnSuccess(outcomes -> progress.finish());
    }

    private Mono<ProblemOutcome> solve(ProfileVariant variant, EvalProblem problem, long problemSeed) {
        return Mono.defer(() -> runs.start(new RunRequest(
                                variant.registryName(),
                                problem.problem(),
                                BudgetOverrides.NONE,
                                problemSeed,
                                null,
                                RunRequest.Sampling.DEFAULT))
                        .events()
                        .filter(event -> !(event instanceof RunEvent.StepEvent))
                        .last())
                .flatMap(event -> {
                    RunResult result = event instanceof RunEvent.Finished finished
                            ? finished.result()
                            : ((RunEvent.Failed) event).result();
                    return grader.grade(problem, result.solution())
                            .map(correct -> outcome(variant, problem, result, correct));
                });
    }

    private static ProblemOutcome outcome(
            ProfileVariant variant, EvalProblem problem, RunResult result, boolean correct) {
        Throwable error = result.error();
        return new ProblemOutcome(
                variant.label(),
                problem.id(),
                result.status(),
                correct,
                result.solution() == null ? null : result.solution().answer(),
                result.usage(),
                result.wall() == null ? Duration.ZERO : result.wall(),
                error == null ? null : String.valueOf(error.getMessage()));
    }
}
