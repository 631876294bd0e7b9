package dev.deliberate.api.reason;

import dev.deliberate.answer.AnswerKind;
import dev.deliberate.api.ApiLimits;
import dev.deliberate.api.Conversations;
import dev.deliberate.api.ErrorReply;
import dev.deliberate.api.HttpReplies;
import dev.deliberate.api.HttpReplies.SseEvent;
import dev.deliberate.api.WireBudget;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.profile.ProfileRegistry;
import dev.deliberate.run.DeliberateException;
import dev.deliberate.run.Problem;
import dev.deliberate.run.RunEvent;
import dev.deliberate.run.RunRequest;
import dev.deliberate.run.RunService;
import dev.deliberate.run.StartedRun;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@code /v1/reason}, {@code /v1/runs/{id}} and {@code /v1/profiles}. */
@RestController
public class ReasonController {

    private final RunService runs;
    private final ProfileRegistry profiles;
    private final HttpReplies replies;
    private final ApiLimits limits;

    public ReasonController(RunService runs, ProfileRegistry profiles, HttpReplies replies, ApiLimits limits) {
        this.runs = runs;
        this.profiles = profiles;
        this.replies = replies;
        this.limits = limits;
    }

    /**
     * Runs a profile. With {@code Accept: text/event-stream} the reply is a {@code step} event per trace step as it
     * starts and ends, then one {@code solution} or {@code error} event; otherwise the finished run as JSON.
     */
    @PostMapping("/v1/reason")
    public Mono<Void> reason(
            @RequestBody ReasonRequest request,
            @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
            ServerHttpResponse response) {
        StartedRun run = runs.start(toRunRequest(request));
        Flux<RunEvent> events = run.events();
        response.getHeaders().set("X-Deliberate-Run-Id", run.runId());
        // Only an explicit text/event-stream asks for events: "*/*" is what clients send when they ask for nothing.
        boolean stream = accept != null
                && MediaType.parseMediaTypes(accept).stream()
                        .anyMatch(type -> type.getType().equals("text")
                                && type.getSubtype().equals("event-stream"));
        if (!stream) {
            return events.last()
                    .flatMap(event -> event instanceof RunEvent.Finished finished
                            ? replies.json(response, 200, RunView.of(finished.result()))
                            : Mono.error(((RunEvent.Failed) event).error()));
        }
        Flux<SseEvent> frames = events.map(this::frame)
                .onErrorResume(error -> Mono.just(new SseEvent(
                        "error", replies.toJson(ErrorReply.of(error).body()))));
        return replies.events(response, frames);
    }

    private SseEvent frame(RunEvent event) {
        if (event instanceof RunEvent.StepEvent step) {
            return new SseEvent("step", replies.toJson(RunView.StepView.of(step.step())));
        }
        if (event instanceof RunEvent.Finished finished) {
            return new SseEvent("solution", replies.toJson(RunView.of(finished.result())));
        }
        RunEvent.Failed failed = (RunEvent.Failed) event;
        return new SseEvent(
                "error",
                replies.toJson(Map.of(
                        "error", ErrorReply.of(failed.error()).body().error(),
                        "run_id", failed.result().runId())));
    }

    @GetMapping("/v1/runs/{id}")
    public RunView run(@PathVariable String id) {
        return runs.recent()
                .find(id)
                .map(RunView::of)
                .orElseThrow(() -> DeliberateException.notFound(
                        "id", "run_not_found", "no recent run '" + id + "' (the store keeps the latest runs only)"));
    }

    @GetMapping("/v1/profiles")
    public Map<String, Object> profiles() {
        return Map.of(
                "object",
                "list",
                "data",
                profiles.all().stream().map(ProfileView::of).toList());
    }

    private RunRequest toRunRequest(ReasonRequest request) {
        if (request.profile() == null || request.profile().isBlank()) {
            throw DeliberateException.invalidRequest("profile", "is required (GET /v1/profiles lists them)");
        }
        ReasonRequest.WireProblem problem = request.problem();
        if (problem == null) {
            throw DeliberateException.invalidRequest("problem", "is required");
        }
        List<ChatMessage> messages;
        if (problem.text() != null && problem.messages() != null) {
            throw DeliberateException.invalidRequest("problem", "give text or messages, not both");
        } else if (problem.text() != null) {
            if (problem.text().isBlank()) {
                throw DeliberateException.invalidRequest("problem.text", "must not be blank");
            }
            if (problem.text().length() > limits.maxChars()) {
                throw DeliberateException.invalidRequest(
                        "problem.text", "exceeds " + limits.maxChars() + " characters");
            }
            messages = List.of(ChatMessage.user(problem.text()));
        } else {
            messages = Conversations.of(problem.messages(), "problem.messages", limits);
        }
        AnswerKind kind = null;
        if (problem.kind() != null) {
            kind = AnswerKind.fromWireName(problem.kind())
                    .orElseThrow(() -> DeliberateException.invalidRequest(
                            "problem.kind", "must be one of math, choice, code, text"));
        }
        Problem.CodeSpec code = null;
        if (problem.entryPoint() != null) {
            code = new Problem.CodeSpec(problem.entryPoint(), problem.signature(), problem.tests());
        } else if (problem.signature() != null || problem.tests() != null) {
            throw DeliberateException.invalidRequest("problem.entry_point", "is required with signature or tests");
        }
        if (request.maxTokens() != null
                && (request.maxTokens() < 1 || request.maxTokens() > limits.maxTokensPerCall())) {
            throw DeliberateException.invalidRequest(
                    "max_tokens", "must be between 1 and " + limits.maxTokensPerCall());
        }
        return new RunRequest(
                request.profile(),
                new Problem(messages, kind, code),
                WireBudget.toOverrides(request.budget(), "budget"),
                request.seed(),
                request.maxTokens(),
                RunRequest.Sampling.DEFAULT);
    }
}
