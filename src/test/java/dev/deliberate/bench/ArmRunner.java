package dev.deliberate.bench;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.profile.ProfileRegistry;
import dev.deliberate.profile.YamlProfileLoader;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.BudgetOverrides;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RecentRuns;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import dev.deliberate.strategy.ShippedKinds;
import dev.deliberate.testkit.synthetic.SyntheticModel;
import dev.deliberate.testkit.synthetic.SyntheticProblem;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;
import reactor.core.publisher.Flux;

/**
 * Runs one arm of an accuracy benchmark: the shipped profiles, loaded and validated exactly as the service loads
 * them, with the arm's property overrides on top, over in-memory synthetic endpoints named {@code local} and
 * {@code server}. Every problem is solved through the real run engine; only the HTTP layer is left out, since it
 * changes neither answers nor costs.
 */
final class ArmRunner {

    private static final BudgetLimits CAPS = new BudgetLimits(512, 10_000_000, Duration.ofMinutes(5), 4, 64, 16);
    private static final int CONCURRENCY = 16;

    private final SyntheticModel local;
    private final SyntheticModel server;

    ArmRunner(SyntheticModel local, SyntheticModel server) {
        this.local = local;
        this.server = server;
    }

    /** One solved problem: its ground truth and the run's record. */
    record Outcome(SyntheticProblem problem, RunResult result, boolean correct) {}

    /** An arm: a shipped profile with property overrides, e.g. {@code deliberate.profiles.rpc.params.n=16}. */
    record Arm(String label, String profile, Map<String, Object> overrides) {
        Arm {
            overrides = Map.copyOf(overrides);
        }

        static Arm of(String label, String profile, Object... keyValues) {
            Map<String, Object> overrides = new LinkedHashMap<>();
            for (int i = 0; i < keyValues.length; i += 2) {
                overrides.put("deliberate.profiles." + profile + "." + keyValues[i], keyValues[i + 1]);
            }
            return new Arm(label, profile, overrides);
        }

        Arm with(String key, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(overrides);
            more.put(key, value);
            return new Arm(label, profile, more);
        }
    }

    List<Outcome> run(Arm arm, List<SyntheticProblem> problems, long seed) {
        local.forgetPaths();
        server.forgetPaths();
        RunService service = service(arm, List.of(local, server));
        return Flux.fromIterable(problems)
                .flatMapSequential(
                        problem -> service.start(request(arm, problem, seed))
                                .events()
                                .last()
                                .map(event -> outcome(problem, event)),
                        CONCURRENCY)
                .collectList()
                .block(Duration.ofMinutes(10));
    }

    /** The shipped profiles with the arm's overrides, over {@code endpoints}, as the service loads them. */
    static RunService service(Arm arm, List<Endpoint> endpoints) {
        var environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("arm", arm.overrides()));
        LocalValidatorFactoryBean validator = new LocalValidatorFactoryBean();
        validator.afterPropertiesSet();
        ProfileRegistry profiles = new ProfileRegistry(
                YamlProfileLoader.load(Path.of("strategies")),
                ConfigurationPropertySources.get(environment),
                ShippedKinds.all(),
                new EndpointRegistry(endpoints),
                CAPS,
                validator);
        return new RunService(profiles::find, CAPS, new RecentRuns(8), new SimpleMeterRegistry());
    }

    private static RunRequest request(Arm arm, SyntheticProblem problem, long seed) {
        return new RunRequest(
                arm.profile(),
                Problem.of(problem.question(), AnswerKind.MATH),
                BudgetOverrides.NONE,
                seed * 1_000_003L + problem.id(),
                null,
                null);
    }

    /** The run's record from its last event, finished or failed. */
    static RunResult resultOf(RunEvent event) {
        return event instanceof RunEvent.Finished finished ? finished.result() : ((RunEvent.Failed) event).result();
    }

    private Outcome outcome(SyntheticProblem problem, RunEvent event) {
        RunResult result = resultOf(event);
        String answer = result.solution() == null ? null : result.solution().answer();
        return new Outcome(problem, result, local.grade(problem, answer));
    }
}
