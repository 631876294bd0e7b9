package dev.deliberate.strategy.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.BackendException;
import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunResult;
import dev.deliberate.run.RunService;
import dev.deliberate.run.RunStatus;
import dev.deliberate.run.Runs;
import dev.deliberate.run.Solution;
import dev.deliberate.run.Step;
import dev.deliberate.run.StepKind;
import dev.deliberate.run.Strategy;
import dev.deliberate.strategy.Formats;
import dev.deliberate.strategy.direct.DirectKind;
import dev.deliberate.strategy.direct.DirectParameters;
import dev.deliberate.strategy.vote.SelfConsistencyKind;
import dev.deliberate.strategy.vote.SelfConsistencyParameters;
import dev.deliberate.testkit.ScriptedEndpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CascadeStrategyTests {

    private static final CascadeParameters DEFAULTS =
            new CascadeParameters("local", "server", null, null, null, AnswerKind.MATH);

    private static final Problem PROBLEM = Problem.of("What is 6 times 7?", null);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ScriptedEndpoint server = ScriptedEndpoint.cycling("server", "6 * 7 = 42. The answer is 42.");

    /** Self-consistency over five samples: the local confidence is the winner's share of the texts given. */
    private static Strategy voting() {
        return new SelfConsistencyKind(Formats.shipped())
                .create(new SelfConsistencyParameters(5, 0.7, null, 256, AnswerKind.MATH));
    }

    /** One call, answer extracted as math; the confidence is unknown where the endpoint gives no logprobs. */
    private static Strategy direct(AnswerKind kind) {
        return new DirectKind(Formats.shipped()).create(new DirectParameters(null, null, 256, kind, true));
    }

    private RunService service(Strategy local, ScriptedEndpoint localEndpoint, CascadeParameters params) {
        return service(local, localEndpoint, params, Runs.GENEROUS);
    }

    private RunService service(
            Strategy local, ScriptedEndpoint localEndpoint, CascadeParameters params, BudgetLimits budget) {
        return new Runs()
                .plan("local", local, Map.of("solver", localEndpoint))
                .plan("server", direct(AnswerKind.TEXT), Map.of("solver", server))
                .plan("cascade", new CascadeKind(meters).create(params), Map.of(), budget)
                .service();
    }

    private static ScriptedEndpoint votes(String... texts) {
        return ScriptedEndpoint.cycling("local", texts);
    }

    private static Step only(RunResult result, StepKind kind) {
        List<Step> steps = result.steps().stream().filter(s -> s.kind() == kind).toList();
        assertThat(steps).hasSize(1);
        return steps.get(0);
    }

    private double count(String meter, String... tags) {
        var counter = meters.find(meter).tags(tags).counter();
        return counter == null ? 0.0 : counter.count();
    }

    @Test
    void keepsAConfidentLocalAnswerAndNeverCallsTheServer() {
        var local = votes(
                "The answer is 42.",
                "The answer is 42.",
                "The answer is 42.",
                "The answer is 41.",
                "The answer is 42.");
        RunService service = service(voting(), local, DEFAULTS);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().confidence()).isEqualTo(0.8);
        assertThat(result.solution().notes())
                .containsEntry("escalated", false)
                .containsEntry("answered_by", "local")
                .containsEntry("local_confidence", 0.8)
                .containsEntry("threshold", 0.5)
                .doesNotContainKey("escalation_reason");
        assertThat(local.calls()).isEqualTo(1);
        assertThat(server.calls()).isZero();
        assertThat(result.steps()).noneMatch(s -> s.kind() == StepKind.ESCALATE);
        assertThat(count("deliberate.cascade.runs", "profile", "cascade", "escalated", "false"))
                .isEqualTo(1.0);
        assertThat(meters.find("deliberate.cascade.escalations").counters()).isEmpty();
    }

    @Test
    void escalatesALowConfidenceAnswerOnceAndTracesWhy() {
        var local = votes(
                "The answer is 42.",
                "The answer is 41.",
                "The answer is 40.",
                "The answer is 42.",
                "The answer is 39.");
        RunService service = service(voting(), local, DEFAULTS);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().text()).isEqualTo("6 * 7 = 42. The answer is 42.");
        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().notes())
                .containsEntry("escalated", true)
                .containsEntry("escalation_reason", "low_confidence")
                .containsEntry("answered_by", "server")
                .containsEntry("local_answer", "42")
                .containsEntry("local_confidence", 0.4);
        assertThat(local.calls()).isEqualTo(1);
        assertThat(server.calls()).isEqualTo(1);
        Step escalate = only(result, StepKind.ESCALATE);
        assertThat(escalate.name()).isEqualTo("low_confidence");
        assertThat(escalate.status()).isEqualTo(Step.Status.OK);
        assertThat(escalate.notes())
                .containsEntry("reason", "low_confidence")
                .containsEntry("local_answer", "42")
                .containsEntry("local_confidence", 0.4)
                .containsEntry("threshold", 0.5);
        Step serverRun = result.steps().stream()
                .filter(s -> s.kind() == StepKind.RUN && s.name().equals("server"))
                .findFirst()
                .orElseThrow();
        assertThat(serverRun.parentId()).isEqualTo(escalate.id());
        Step localRun = result.steps().stream()
                .filter(s -> s.kind() == StepKind.RUN && s.name().equals("local"))
                .findFirst()
                .orElseThrow();
        assertThat(localRun.parentId()).isEqualTo(result.steps().get(0).id());
    }

    @ParameterizedTest(name = "share 0.6, threshold {0}: escalated {1}")
    @CsvSource({"0.6, false", "0.6000001, true", "0.0, false", "1.0, true"})
    void aConfidenceEqualToTheThresholdIsKeptAndOnlyABelowThresholdOneEscalates(double threshold, boolean escalated) {
        var local = votes(
                "The answer is 42.",
                "The answer is 42.",
                "The answer is 41.",
                "The answer is 42.",
                "The answer is 40.");
        var params = new CascadeParameters("local", "server", threshold, null, null, AnswerKind.MATH);
        RunService service = service(voting(), local, params);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.solution().notes()).containsEntry("local_confidence", 0.6);
        assertThat(result.solution().notes()).containsEntry("escalated", escalated);
        assertThat(server.calls()).isEqualTo(escalated ? 1 : 0);
    }

    @Test
    void anUnknownConfidenceEscalatesByDefault() {
        var local = ScriptedEndpoint.cycling("local", "The answer is 41.")
                .withCapabilities(new Capabilities(false, false, 0, Capabilities.Source.CONFIGURED));
        RunService service = service(direct(AnswerKind.MATH), local, DEFAULTS);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().notes())
                .containsEntry("escalation_reason", "no_confidence")
                .containsEntry("local_answer", "41")
                .doesNotContainKey("local_confidence");
        assertThat(server.calls()).isEqualTo(1);
        assertThat(only(result, StepKind.ESCALATE).notes()).doesNotContainKey("local_confidence");
    }

    @Test
    void anUnknownConfidenceIsKeptWhenTheProfileTrustsIt() {
        var local = ScriptedEndpoint.cycling("local", "The answer is 41.")
                .withCapabilities(new Capabilities(false, false, 0, Capabilities.Source.CONFIGURED));
        var params = new CascadeParameters("local", "server", 0.5, false, null, AnswerKind.MATH);
        RunService service = service(direct(AnswerKind.MATH), local, params);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.solution().answer()).isEqualTo("41");
        assertThat(result.solution().confidence()).isNull();
        assertThat(result.solution().notes()).containsEntry("escalated", false);
        assertThat(server.calls()).isZero();
    }

    @Test
    void anUnparsableLocalAnswerEscalates() {
        var local = votes("Hmm.", "No idea.", "Let me think.", "Hmm.", "Well.");
        RunService service = service(voting(), local, DEFAULTS);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().notes())
                .containsEntry("escalation_reason", "unparsable")
                .containsEntry("answered_by", "server")
                .doesNotContainKey("local_answer");
        assertThat(server.calls()).isEqualTo(1);
        assertThat(only(result, StepKind.ESCALATE).name()).isEqualTo("unparsable");
    }

    static Stream<Arguments> localFailures() {
        return Stream.of(
                Arguments.of(new BackendException.Unavailable("local", "circuit open", false, null), "unavailable"),
                Arguments.of(
                        new BackendException.Unavailable("local", "busy: 64 in flight, 1024 queued", false, null),
                        "unavailable"),
                Arguments.of(new BackendException.Timeout("local", "no reply within 3s"), "timeout"),
                Arguments.of(new BackendException.RateLimited("local", "rate limited", null), "rate_limited"),
                Arguments.of(new BackendException.BadReply("local", "malformed JSON", null), "bad_reply"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("localFailures")
    void aLocalEndpointThatCannotAnswerEscalates(BackendException failure, String reason) {
        var local = ScriptedEndpoint.failing("local", failure);
        RunService service = service(voting(), local, DEFAULTS);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().notes())
                .containsEntry("escalated", true)
                .containsEntry("escalation_reason", reason)
                .containsEntry("answered_by", "server")
                .containsEntry("local_error", failure.getClass().getSimpleName() + ": " + failure.getMessage());
        assertThat(local.calls()).isEqualTo(1);
        assertThat(server.calls()).isEqualTo(1);
        assertThat(only(result, StepKind.ESCALATE).name()).isEqualTo(reason);
        assertThat(count("deliberate.cascade.escalations", "profile", "cascade", "reason", reason))
                .isEqualTo(1.0);
    }

    @Test
    void aContextOverflowReachesTheClientByDefault() {
        var overflow = new BackendException.Rejected("local", "maximum context length is 4096 tokens", 400, true);
        var local = ScriptedEndpoint.failing("local", overflow);
        RunService service = service(voting(), local, DEFAULTS);

        RunEvent event = Runs.last(service, "cascade", PROBLEM);

        assertThat(event).isInstanceOf(RunEvent.Failed.class);
        assertThat(((RunEvent.Failed) event).error()).isSameAs(overflow);
        assertThat(server.calls()).isZero();
        assertThat(meters.find("deliberate.cascade.runs").counters()).isEmpty();
    }

    @Test
    void aContextOverflowEscalatesWhenTheProfileAllowsIt() {
        var overflow = new BackendException.Rejected("local", "maximum context length is 4096 tokens", 400, true);
        var local = ScriptedEndpoint.failing("local", overflow);
        var params = new CascadeParameters("local", "server", 0.5, true, true, AnswerKind.MATH);
        RunService service = service(voting(), local, params);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().notes()).containsEntry("escalation_reason", "context_overflow");
        assertThat(server.calls()).isEqualTo(1);
    }

    @Test
    void aRequestTheLocalBackendRefusedIsNotPaidAround() {
        var refused = new BackendException.Rejected("local", "authentication failed (401)", 401, false);
        RunService service = service(voting(), ScriptedEndpoint.failing("local", refused), DEFAULTS);

        RunEvent event = Runs.last(service, "cascade", PROBLEM);

        assertThat(((RunEvent.Failed) event).error()).isSameAs(refused);
        assertThat(server.calls()).isZero();
    }

    @Test
    void aFailedEscalationReturnsTheLocalAnswerAndSaysWhy() {
        var local = votes(
                "The answer is 42.",
                "The answer is 41.",
                "The answer is 40.",
                "The answer is 42.",
                "The answer is 39.");
        var down =
                ScriptedEndpoint.failing("server", new BackendException.Unavailable("server", "HTTP 503", true, null));
        RunService service = new Runs()
                .plan("local", voting(), Map.of("solver", local))
                .plan("server", direct(AnswerKind.TEXT), Map.of("solver", down))
                .plan("cascade", new CascadeKind(meters).create(DEFAULTS), Map.of())
                .service();

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().confidence()).isEqualTo(0.4);
        assertThat(result.solution().notes())
                .containsEntry("escalated", true)
                .containsEntry("escalation_reason", "low_confidence")
                .containsEntry("answered_by", "local")
                .containsEntry("escalation_failed", "Unavailable: server: HTTP 503");
        assertThat(down.calls()).isEqualTo(1);
        Step escalate = only(result, StepKind.ESCALATE);
        assertThat(escalate.status()).isEqualTo(Step.Status.FAILED);
        assertThat(escalate.notes()).containsEntry("error", "server: HTTP 503");
        assertThat(count(
                        "deliberate.cascade.escalation.failures",
                        "profile",
                        "cascade",
                        "reason",
                        "low_confidence",
                        "error",
                        "Unavailable"))
                .isEqualTo(1.0);
    }

    @Test
    void aFailedEscalationWithNoLocalAnswerFailsWithTheServerError() {
        var serverDown = new BackendException.Unavailable("server", "HTTP 503", true, null);
        var local = ScriptedEndpoint.failing("local", new BackendException.Timeout("local", "no reply within 3s"));
        var down = ScriptedEndpoint.failing("server", serverDown);
        RunService service = new Runs()
                .plan("local", voting(), Map.of("solver", local))
                .plan("server", direct(AnswerKind.TEXT), Map.of("solver", down))
                .plan("cascade", new CascadeKind(meters).create(DEFAULTS), Map.of())
                .service();

        RunEvent event = Runs.last(service, "cascade", PROBLEM);

        assertThat(((RunEvent.Failed) event).error()).isSameAs(serverDown);
        assertThat(local.calls()).isEqualTo(1);
        assertThat(down.calls()).isEqualTo(1);
    }

    @Test
    void anEscalationTheBudgetCannotPayForReturnsTheLocalAnswerTruncated() {
        var local = votes(
                "The answer is 42.",
                "The answer is 41.",
                "The answer is 40.",
                "The answer is 42.",
                "The answer is 39.");
        var oneCall = new BudgetLimits(1, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);
        RunService service = service(voting(), local, DEFAULTS, oneCall);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().answer()).isEqualTo("42");
        assertThat(result.solution().notes())
                .containsEntry(Solution.STOPPED_BY, "max_model_calls")
                .containsEntry("answered_by", "local")
                .containsKey("escalation_failed");
        assertThat(server.calls()).isZero();
    }

    @Test
    void aLocalAnswerCutByTheBudgetKeepsItsTruncation() {
        var local = ScriptedEndpoint.cycling("local", "The answer is 42.")
                .withCapabilities(new Capabilities(false, false, 0, Capabilities.Source.CONFIGURED));
        var threeCalls = new BudgetLimits(3, 1_000_000, Duration.ofSeconds(30), 3, 64, 10);
        RunService service = service(voting(), local, DEFAULTS, threeCalls);

        RunResult result = Runs.finished(Runs.last(service, "cascade", PROBLEM));

        assertThat(local.requests().get(0).n()).isEqualTo(3);
        assertThat(result.status()).isEqualTo(RunStatus.TRUNCATED);
        assertThat(result.solution().confidence()).isEqualTo(1.0);
        assertThat(result.solution().notes())
                .containsEntry(Solution.STOPPED_BY, "max_model_calls")
                .containsEntry("escalated", false);
        assertThat(server.calls()).isZero();
    }

    @Test
    void theServerAnswersInTheCascadesAnswerKindAndKeepsTheConversation() {
        var local = votes("Hmm.");
        RunService service = service(voting(), local, DEFAULTS);
        var conversation = List.of(ChatMessage.user("What is 6 times 7?"));

        Runs.finished(Runs.last(service, "cascade", new Problem(conversation, null, null)));

        List<ChatMessage> sent = server.requests().get(0).messages();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).role()).isEqualTo(ChatMessage.SYSTEM);
        assertThat(sent.get(1)).isEqualTo(conversation.get(0));
    }

    @Test
    void metricsCountEveryDecisionAndEachEscalationByReason() {
        var confident = votes("The answer is 42.");
        var unsure = votes("The answer is 42.", "The answer is 41.", "The answer is 40.", "The answer is 39.");
        var down = ScriptedEndpoint.failing(
                "local", new BackendException.Unavailable("local", "circuit open", false, null));
        RunService keeps = service(voting(), confident, DEFAULTS);
        RunService escalatesUnsure = service(voting(), unsure, DEFAULTS);
        RunService escalatesDown = service(voting(), down, DEFAULTS);

        Runs.finished(Runs.last(keeps, "cascade", PROBLEM));
        Runs.finished(Runs.last(keeps, "cascade", PROBLEM));
        Runs.finished(Runs.last(escalatesUnsure, "cascade", PROBLEM));
        Runs.finished(Runs.last(escalatesDown, "cascade", PROBLEM));
        Runs.finished(Runs.last(escalatesDown, "cascade", PROBLEM));

        assertThat(count("deliberate.cascade.runs", "profile", "cascade", "escalated", "false"))
                .isEqualTo(2.0);
        assertThat(count("deliberate.cascade.runs", "profile", "cascade", "escalated", "true"))
                .isEqualTo(3.0);
        assertThat(count("deliberate.cascade.escalations", "profile", "cascade", "reason", "low_confidence"))
                .isEqualTo(1.0);
        assertThat(count("deliberate.cascade.escalations", "profile", "cascade", "reason", "unavailable"))
                .isEqualTo(2.0);
        assertThat(meters.find("deliberate.cascade.escalations").counters()).hasSize(2);
        assertThat(meters.find("deliberate.cascade.escalation.failures").counters())
                .isEmpty();
        assertThat(server.calls()).isEqualTo(3);
    }
}
