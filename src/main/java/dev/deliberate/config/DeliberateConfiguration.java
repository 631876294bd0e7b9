package dev.deliberate.config;

import dev.deliberate.answer.AnswerExtractor;
import dev.deliberate.api.ApiLimits;
import dev.deliberate.api.HttpReplies;
import dev.deliberate.api.RequestGuard;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.model.Secret;
import dev.deliberate.profile.ProfileRegistry;
import dev.deliberate.profile.YamlProfileLoader;
import dev.deliberate.prompt.PromptLibrary;
import dev.deliberate.run.RecentRuns;
import dev.deliberate.run.RunService;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.sandbox.BubblewrapCodeRunner;
import dev.deliberate.sandbox.CodeRunner;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.agot.AgotKind;
import dev.deliberate.strategy.cascade.CascadeKind;
import dev.deliberate.strategy.direct.DirectKind;
import dev.deliberate.strategy.funcoder.FunCoderKind;
import dev.deliberate.strategy.selfeval.AdaptiveKind;
import dev.deliberate.strategy.selfeval.PruneKind;
import dev.deliberate.strategy.selfeval.RestartQuestion;
import dev.deliberate.strategy.selfeval.SelfEvaluator;
import dev.deliberate.strategy.spar.SparKind;
import dev.deliberate.strategy.vote.RpcKind;
import dev.deliberate.strategy.vote.SelfConsistencyKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.validation.Validator;
import reactor.core.scheduler.Schedulers;

/** Wires prompts, strategies, profiles, the run service and the api's limits. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DeliberateProperties.class)
class DeliberateConfiguration {

    @Bean
    PromptLibrary promptLibrary(DeliberateProperties properties) {
        return PromptLibrary.load(properties.promptsDir());
    }

    @Bean
    AnswerFormat answerFormat(PromptLibrary prompts) {
        return new AnswerFormat(prompts, new AnswerExtractor());
    }

    @Bean
    DirectKind directKind(AnswerFormat format) {
        return new DirectKind(format);
    }

    @Bean
    SelfConsistencyKind selfConsistencyKind(AnswerFormat format) {
        return new SelfConsistencyKind(format);
    }

    /** The off-the-shelf scorer; return another SelfEvaluator here for a model that exposes its score differently. */
    @Bean
    SelfEvaluator selfEvaluator(PromptLibrary prompts) {
        return new RestartQuestion(prompts);
    }

    @Bean
    AdaptiveKind adaptiveKind(AnswerFormat format, SelfEvaluator evaluator) {
        return new AdaptiveKind(format, evaluator);
    }

    @Bean
    PruneKind pruneKind(AnswerFormat format, SelfEvaluator evaluator) {
        return new PruneKind(format, evaluator);
    }

    @Bean
    RpcKind rpcKind(AnswerFormat format) {
        return new RpcKind(format);
    }

    @Bean
    CascadeKind cascadeKind(MeterRegistry meters) {
        return new CascadeKind(meters);
    }

    @Bean
    AgotKind agotKind(PromptLibrary prompts, AnswerFormat format) {
        return new AgotKind(prompts, format);
    }

    @Bean
    FunCoderKind funCoderKind(PromptLibrary prompts, AnswerFormat format, CodeRunner runner) {
        return new FunCoderKind(prompts, format, runner);
    }

    @Bean
    SparKind sparKind(PromptLibrary prompts) {
        return new SparKind(prompts);
    }

    @Bean
    ProfileRegistry profileRegistry(
            DeliberateProperties properties,
            ConfigurableEnvironment environment,
            List<StrategyKind<?>> kinds,
            EndpointRegistry endpoints,
            Validator validator) {
        return new ProfileRegistry(
                YamlProfileLoader.load(properties.profilesDir()),
                ConfigurationPropertySources.get(environment),
                kinds,
                endpoints,
                properties.limits().budgetCaps(),
                validator);
    }

    @Bean
    RunService runService(DeliberateProperties properties, ProfileRegistry profiles, MeterRegistry meters) {
        return new RunService(
                profiles,
                properties.limits().budgetCaps(),
                new RecentRuns(properties.runs().storeSize()),
                Clock.systemUTC(),
                properties.limits().maxConcurrentRuns(),
                Schedulers.parallel(),
                meters);
    }

    /**
     * The sandbox for model-written code. Its self-check starts now, in the background: health shows the outcome, and
     * calls made before it finished wait for it. Spring closes the runner at shutdown, killing any box still running.
     */
    @Bean
    BubblewrapCodeRunner codeRunner(DeliberateProperties properties) {
        BubblewrapCodeRunner runner =
                new BubblewrapCodeRunner(properties.sandbox().settings());
        runner.verify().subscribe();
        return runner;
    }

    @Bean
    ApiLimits apiLimits(DeliberateProperties properties) {
        var limits = properties.limits();
        return new ApiLimits(limits.maxMessages(), limits.maxChars(), limits.maxTokensPerCall(), limits.streamHold());
    }

    @Bean
    RequestGuard requestGuard(DeliberateProperties properties, HttpReplies replies) {
        return new RequestGuard(
                properties.security().apiKeys().stream().map(Secret::value).toList(),
                properties.limits().maxBody().toBytes(),
                replies);
    }

    /** Bodies without a declared length are capped while they are read. */
    @Bean
    CodecCustomizer bodyLimit(DeliberateProperties properties) {
        int max =
                (int) Math.min(Integer.MAX_VALUE, properties.limits().maxBody().toBytes());
        return configurer -> configurer.defaultCodecs().maxInMemorySize(max);
    }
}
