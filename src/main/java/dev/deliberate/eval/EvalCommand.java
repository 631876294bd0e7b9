package dev.deliberate.eval;

import dev.deliberate.answer.AnswerEquivalence;
import dev.deliberate.answer.AnswerExtractor;
import dev.deliberate.config.DeliberateProperties;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.profile.Profile;
import dev.deliberate.profile.ProfileRegistry;
import dev.deliberate.profile.ProfileSource;
import dev.deliberate.profile.YamlProfileLoader;
import dev.deliberate.run.ProfileLookup;
import dev.deliberate.run.RecentRuns;
import dev.deliberate.run.RunService;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.sandbox.CodeRunner;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ResolvableType;
import org.springframework.validation.Validator;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -jar deliberate.jar eval ...}: starts the application without a web server, runs the profiles over the
 * dataset in process, writes {@code eval.md}, {@code eval.svg} and {@code eval-results.jsonl} (one line per profile
 * and problem) under {@code --out}, prints the table and exits. See {@code docs/evaluation.md}.
 */
public final class EvalCommand {

    /** The first argument that selects this command. */
    public static final String NAME = "eval";

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

    private EvalCommand() {}

    /**
     * Runs the command with the arguments after {@code eval}.
     *
     * @param application the application class whose context holds endpoints, profiles and the run engine
     * @param terminal whether {@code err} is a terminal, for the progress bar
     * @return the exit status: 0 done, 1 failed, 2 bad arguments
     */
    public static int run(Class<?> application, List<String> args, PrintStream out, PrintStream err, boolean terminal) {
        EvalOptions options;
        try {
            options = EvalOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("eval: " + e.getMessage());
            err.println(EvalOptions.USAGE);
            return 2;
        }
        Dataset dataset;
        try {
            dataset = Dataset.read(options.dataset(), options.format(), options.limit());
        } catch (DatasetException e) {
            err.println("eval: " + e.getMessage());
            return 1;
        }
        Map<String, Object> quiet = Map.of("logging.level.root", "warn", "logging.level.dev.deliberate", "warn");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .web(WebApplicationType.NONE)
                .properties(quiet)
                .run(options.springArgs().toArray(String[]::new))) {
            RunService runs = runService(context, options.profiles());
            Grader grader = new Grader(
                    new AnswerExtractor(), AnswerEquivalence.DEFAULT, context.getBean(CodeRunner.class), CHECK_TIMEOUT);
            Evaluation evaluation = new Evaluation(
                    runs, grader, new Progress(err, terminal, System::nanoTime), options.concurrency(), options.seed());
            // The command's own main thread waits for the result: no event loop is ever blocked here.
            EvalResult result =
                    evaluation.run(dataset, options.profiles()).toFuture().get();
            String table = EvalReport.markdown(result);
            write(options.out(), result, table);
            out.print(table);
            out.println();
            out.println("Wrote " + options.out().resolve("eval.md") + " and "
                    + options.out().resolve("eval.svg"));
            out.flush();
            return 0;
        } catch (ExecutionException e) {
            err.println("eval: " + message(e.getCause() != null ? e.getCause() : e));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("eval: interrupted");
            return 1;
        } catch (RuntimeException | IOException e) {
            err.println("eval: " + message(e));
            return 1;
        }
    }

    /**
     * The application's run engine when every profile is plain; with variants, an engine of its own over the same
     * endpoints and strategies whose registry also holds each variant, derived from its profile's file.
     */
    private static RunService runService(ConfigurableApplicationContext context, List<ProfileVariant> variants) {
        ProfileRegistry shared = context.getBean(ProfileRegistry.class);
        if (variants.stream().allMatch(ProfileVariant::plain)) {
            requireKnown(
                    shared, variants, shared.all().stream().map(Profile::name).toList());
            return context.getBean(RunService.class);
        }
        DeliberateProperties properties = context.getBean(DeliberateProperties.class);
        List<ProfileSource> sources = new ArrayList<>(YamlProfileLoader.load(properties.profilesDir()));
        List<String> known = sources.stream().map(ProfileSource::name).toList();
        Map<String, ProfileSource> added = new LinkedHashMap<>();
        for (ProfileVariant variant : variants) {
            if (variant.plain() || added.containsKey(variant.registryName())) {
                continue;
            }
            ProfileSource base = sources.stream()
                    .filter(source -> source.name().equals(variant.profile()))
                    .findFirst()
                    .orElseThrow(() -> unknown(variant, known));
            added.put(variant.registryName(), variant.source(base));
        }
        sources.addAll(added.values());
        List<StrategyKind<?>> kinds = context.getBeanProvider(ResolvableType.forClass(StrategyKind.class))
                .orderedStream()
                .<StrategyKind<?>>map(kind -> (StrategyKind<?>) kind)
                .toList();
        ProfileRegistry registry = new ProfileRegistry(
                sources,
                ConfigurationPropertySources.get(context.getEnvironment()),
                kinds,
                context.getBean(EndpointRegistry.class),
                properties.limits().budgetCaps(),
                context.getBeanProvider(Validator.class).getIfUnique());
        requireKnown(registry, variants, known);
        return new RunService(
                registry,
                properties.limits().budgetCaps(),
                new RecentRuns(properties.runs().storeSize()),
                Clock.systemUTC(),
                properties.limits().maxConcurrentRuns(),
                Schedulers.parallel(),
                context.getBean(MeterRegistry.class));
    }

    private static void requireKnown(ProfileLookup lookup, List<ProfileVariant> variants, List<String> known) {
        for (ProfileVariant variant : variants) {
            if (lookup.find(variant.registryName()).isEmpty()) {
                throw unknown(variant, known);
            }
        }
    }

    private static IllegalArgumentException unknown(ProfileVariant variant, List<String> known) {
        return new IllegalArgumentException("--profiles: no profile named '" + variant.profile() + "'; known profiles: "
                + String.join(", ", new TreeSet<>(known)));
    }

    private static void write(Path out, EvalResult result, String table) throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("eval.md"), table, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("eval.svg"), AccuracyPlot.svg(result.scores()), StandardCharsets.UTF_8);
        JsonMapper json = JsonMapper.builder().build();
        StringBuilder lines = new StringBuilder();
        for (ProblemOutcome outcome : result.outcomes()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("profile", outcome.profile());
            line.put("problem", outcome.problemId());
            line.put("status", outcome.status().wireName());
            line.put("correct", outcome.correct());
            line.put("answer", outcome.answer());
            line.put("model_calls", outcome.usage().modelCalls());
            line.put("prompt_tokens", outcome.usage().promptTokens());
            line.put("completion_tokens", outcome.usage().completionTokens());
            line.put("code_executions", outcome.usage().codeExecutions());
            line.put("wall_ms", outcome.wall().toMillis());
            Optional.ofNullable(outcome.error()).ifPresent(error -> line.put("error", error));
            lines.append(json.writeValueAsString(line)).append('\n');
        }
        Files.writeString(out.resolve("eval-results.jsonl"), lines.toString(), StandardCharsets.UTF_8);
    }

    private static String message(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }
}
