package dev.deliberate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deliberate.testkit.FakeOpenAiServer.Fault;
import dev.deliberate.testkit.FakeOpenAiServer.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official OpenAI Node SDK ({@code openai} on npm, version pinned in {@code src/test/node/package.json}) against
 * the real service: each test runs {@code src/test/node/openai-sdk-check.mjs} as a process and asserts what the SDK
 * parsed, so a reply a standard client cannot read, or an error it does not raise, fails here. Skipped when
 * {@code node} (20 or later) or the installed SDK is missing; {@code npm install --prefix src/test/node} installs it.
 */
class OpenAiSdkCompatibilityTests extends ApiIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path NODE_PROJECT = Path.of("src", "test", "node");
    private static final Path SCRIPT = NODE_PROJECT.resolve("openai-sdk-check.mjs");
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(60);
    private static final String INSTALL = "npm install --prefix src/test/node";
    private static final String API_KEY = "sk-sdk-check-42";

    private static final String ANSWER = "Paris is the capital.";

    // The script's PROMPT and FAIL_PROMPT; the mid-stream check sends the latter.
    private static final String PROMPT = "Capital of France?";
    private static final String FAIL_PROMPT = "sdk-check: make the backend fail mid-stream";

    /** Node's major version, looked up once; -1 when there is no node that answers. */
    private static final int NODE_MAJOR = nodeMajorVersion();

    @TempDir
    Path temp;

    /** Set by .ci/run, which installs node and the SDK: there a missing SDK is a failure, never a skip. */
    private static final boolean REQUIRED = "true".equals(System.getenv("DELIBERATE_REQUIRE_SDK_CHECK"));

    // Per test rather than @BeforeAll, so that reports list each test as skipped with the reason.
    @BeforeEach
    void requireNodeAndTheSdk() {
        if (REQUIRED) {
            assertThat(NODE_MAJOR)
                    .as("node major version (DELIBERATE_REQUIRE_SDK_CHECK=true)")
                    .isGreaterThanOrEqualTo(20);
            assertThat(NODE_PROJECT.resolve(Path.of("node_modules", "openai", "package.json")))
                    .as("the OpenAI SDK, installed by `" + INSTALL + "`")
                    .isRegularFile();
        }
        assumeTrue(
                NODE_MAJOR >= 20,
                () -> "OpenAI SDK check skipped: needs node 20 or later on the PATH, found "
                        + (NODE_MAJOR < 0 ? "none" : "v" + NODE_MAJOR));
        assumeTrue(
                Files.isRegularFile(NODE_PROJECT.resolve(Path.of("node_modules", "openai", "package.json"))),
                () -> "OpenAI SDK check skipped: the SDK is not installed; run `" + INSTALL + "`");
    }

    @Test
    void sdkParsesACompletionWithUsageAndPassesTheDeliberateObjectThrough() {
        BACKEND.defaultReply(Reply.texts(ANSWER).promptTokens(12));

        JsonNode completion = check("completion");

        assertThat(completion.path("object").asString()).isEqualTo("chat.completion");
        assertThat(completion.path("id").asString()).startsWith("chatcmpl-");
        assertThat(completion.path("model").asString()).isEqualTo("direct");
        assertThat(completion.path("choices").asInt()).isEqualTo(1);
        assertThat(completion.path("role").asString()).isEqualTo("assistant");
        assertThat(completion.path("content").asString()).isEqualTo(ANSWER);
        assertThat(completion.path("finish_reason").asString()).isEqualTo("stop");
        assertThat(completion.path("usage").path("prompt_tokens").asInt()).isEqualTo(12);
        assertThat(completion.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
        assertThat(completion.path("usage").path("total_tokens").asInt()).isEqualTo(16);
        JsonNode deliberate = completion.path("deliberate");
        assertThat(deliberate.path("profile").asString()).isEqualTo("direct");
        assertThat(deliberate.path("strategy").asString()).isEqualTo("direct");
        assertThat(deliberate.path("model_calls").asInt()).isEqualTo(1);
        assertThat(deliberate.path("truncated").asBoolean()).isFalse();
        assertThat(deliberate.path("run_id").asString()).startsWith("run-");
        assertThat(BACKEND.calls()).isEqualTo(1);
        JsonNode sent = BACKEND.lastRequest().body();
        assertThat(sent.path("messages")).hasSize(2);
        assertThat(sent.path("messages").get(1).path("content").asString()).isEqualTo(PROMPT);
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(40);
        assertThat(sent.path("stop").get(0).asString()).isEqualTo("\n\n");
    }

    @Test
    void sdkIteratesTheStreamWithReasoningContentFinishReasonAndUsage() {
        BACKEND.defaultReply(Reply.texts(ANSWER).promptTokens(12));

        JsonNode stream = check("stream");

        assertThat(stream.path("ids")).hasSize(1);
        assertThat(stream.path("ids").get(0).asString()).startsWith("chatcmpl-");
        assertThat(stream.path("objects").get(0).asString()).isEqualTo("chat.completion.chunk");
        assertThat(stream.path("objects")).hasSize(1);
        assertThat(stream.path("role").asString()).isEqualTo("assistant");
        assertThat(stream.path("content").asString()).isEqualTo(ANSWER);
        assertThat(stream.path("reasoning_content").asString()).startsWith("[generate] ");
        assertThat(stream.path("finish_reasons")).hasSize(1);
        assertThat(stream.path("finish_reasons").get(0).asString()).isEqualTo("stop");
        assertThat(stream.path("usage").path("prompt_tokens").asInt()).isEqualTo(12);
        assertThat(stream.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
        assertThat(stream.path("usage").path("total_tokens").asInt()).isEqualTo(16);
        assertThat(stream.path("usage_chunk_choices").asInt()).isZero();
        assertThat(stream.path("deliberate").path("profile").asString()).isEqualTo("direct");
        assertThat(BACKEND.calls()).isEqualTo(1);
    }

    @Test
    void sdkStreamHelperAccumulatesTheFinalCompletion() {
        BACKEND.defaultReply(Reply.texts(ANSWER).promptTokens(12));

        JsonNode helper = check("stream-helper");

        assertThat(helper.path("content").asString()).isEqualTo(ANSWER);
        assertThat(helper.path("role").asString()).isEqualTo("assistant");
        assertThat(helper.path("finish_reason").asString()).isEqualTo("stop");
        assertThat(helper.path("usage").path("total_tokens").asInt()).isEqualTo(16);
        assertThat(BACKEND.calls()).isEqualTo(1);
    }

    @Test
    void sdkRaisesNotFoundErrorWithCodeAndParamForAnUnknownProfile() {
        JsonNode error = check("not-found-error");

        assertThat(error.path("thrown").asBoolean()).isTrue();
        assertThat(error.path("class").asString()).isEqualTo("NotFoundError");
        assertThat(error.path("status").asInt()).isEqualTo(404);
        assertThat(error.path("code").asString()).isEqualTo("model_not_found");
        assertThat(error.path("param").asString()).isEqualTo("model");
        assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asString()).isEqualTo("404 no profile named 'no-such-profile'");
        assertThat(BACKEND.calls()).isZero();
    }

    @Test
    void sdkRaisesBadRequestErrorNamingTheRejectedParameter() {
        JsonNode error = check("bad-request-error");

        assertThat(error.path("class").asString()).isEqualTo("BadRequestError");
        assertThat(error.path("status").asInt()).isEqualTo(400);
        assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asString()).isEqualTo("invalid_value");
        assertThat(error.path("param").asString()).isEqualTo("n");
        assertThat(error.path("message").asString()).startsWith("400 n: must be 1");
        assertThat(BACKEND.calls()).isZero();
    }

    @Test
    void sdkRaisesRateLimitErrorWithTheRetryAfterHeader() {
        BACKEND.defaultReply(Reply.failing(Fault.RATE_LIMITED).retryAfter("120"));

        JsonNode error = check("rate-limit-error");

        assertThat(error.path("class").asString()).isEqualTo("RateLimitError");
        assertThat(error.path("status").asInt()).isEqualTo(429);
        assertThat(error.path("type").asString()).isEqualTo("rate_limit_error");
        assertThat(error.path("code").asString()).isEqualTo("backend_rate_limited");
        assertThat(error.path("retry_after").asString()).isEqualTo("120");
        assertThat(BACKEND.calls()).isEqualTo(1);
    }

    @Test
    void sdkThrowsWhileIteratingWhenTheServiceFailsAfterTheStreamBegan() {
        failBackendFor(FAIL_PROMPT);
        String serviceMessage = nonStreamedErrorMessage(FAIL_PROMPT, 503);
        BACKEND.reset();
        failBackendFor(FAIL_PROMPT);

        JsonNode error = check("mid-stream-error");

        assertThat(error.path("opened").asBoolean()).isTrue();
        assertThat(error.path("thrown").asBoolean()).isTrue();
        assertThat(error.path("chunks_before_error").asInt()).isPositive();
        assertThat(error.path("content_before_error").asString()).isEmpty();
        assertThat(error.path("class").asString()).isEqualTo("APIError");
        assertThat(error.path("code").asString()).isEqualTo("backend_unavailable");
        assertThat(error.path("type").asString()).isEqualTo("service_unavailable");
        assertThat(error.path("message").asString()).isEqualTo(serviceMessage);
        assertThat(BACKEND.calls()).isEqualTo(3);
    }

    @Test
    void sdkListsAndRetrievesTheProfilesAsModels() {
        JsonNode models = check("models");

        List<String> ids = new ArrayList<>();
        models.path("ids").forEach(id -> ids.add(id.asString()));
        assertThat(ids).contains("direct", "self-consistency").doesNotHaveDuplicates();
        assertThat(models.path("retrieved").path("id").asString()).isEqualTo("direct");
        assertThat(models.path("retrieved").path("object").asString()).isEqualTo("model");
        assertThat(models.path("retrieved").path("owned_by").asString()).isEqualTo("deliberate");
        assertThat(BACKEND.calls()).isZero();
    }

    /** Longer than the stream hold (1 s in these tests), so that the failure comes after the stream began. */
    private static final Duration FAILURE_LATENCY = Duration.ofMillis(1_200);

    /** Every other request gets the normal answer, so only the failing prompt can produce the error. */
    private static void failBackendFor(String prompt) {
        BACKEND.defaultReply(Reply.texts(ANSWER));
        BACKEND.reply(
                body -> body.path("messages")
                        .path(0)
                        .path("content")
                        .asString("")
                        .equals(prompt),
                Reply.failing(Fault.HTTP_ERROR).latency(FAILURE_LATENCY));
    }

    /** The message the service gives for the same failure before a stream, so the two paths can be compared. */
    private String nonStreamedErrorMessage(String prompt, int status) {
        byte[] body = client.post()
                .uri("/v1/chat/completions")
                .bodyValue(Map.of("model", "direct", "messages", List.of(Map.of("role", "user", "content", prompt))))
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectBody()
                .returnResult()
                .getResponseBody();
        return JSON.readTree(body).path("error").path("message").asString();
    }

    /** Runs one check of the script; fails unless it exits 0 and reports the check as {@code ok}. */
    private JsonNode check(String name) {
        SdkRun run = runScript(name);
        JsonNode result = run.output().path("checks").path(name);
        if (run.exitCode() != 0 || !result.path("ok").asBoolean()) {
            fail("SDK check '%s' failed (exit %d):%n%s%nstderr:%n%s", name, run.exitCode(), run.output(), run.stderr());
        }
        assertThat(run.output().path("sdk_version").asString()).isEqualTo(pinnedSdkVersion());
        return result;
    }

    private SdkRun runScript(String checkName) {
        Path stdout = temp.resolve(checkName + ".out.json");
        Path stderr = temp.resolve(checkName + ".err.txt");
        List<String> command =
                List.of("node", SCRIPT.toString(), "http://127.0.0.1:" + port + "/v1", API_KEY, checkName);
        try {
            // Output goes to files, not pipes: a full pipe cannot stall the child, and this thread only waits.
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(NODE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                fail("SDK check '%s' did not finish within %s; stderr:%n%s", checkName, NODE_TIMEOUT, read(stderr));
            }
            String out = read(stdout);
            JsonNode output;
            try {
                output = JSON.readTree(out);
            } catch (RuntimeException notJson) {
                throw new AssertionError("SDK check '" + checkName + "' printed no JSON (exit " + process.exitValue()
                        + "):\n" + out + "\nstderr:\n" + read(stderr));
            }
            return new SdkRun(process.exitValue(), output, read(stderr));
        } catch (IOException e) {
            throw new AssertionError("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    private record SdkRun(int exitCode, JsonNode output, String stderr) {}

    private static String pinnedSdkVersion() {
        try {
            return JSON.readTree(Files.readString(NODE_PROJECT.resolve("package.json")))
                    .path("dependencies")
                    .path("openai")
                    .asString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** The major version of {@code node} on the PATH, or -1 when there is none that answers. */
    private static int nodeMajorVersion() {
        try {
            Process process = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (process.exitValue() != 0 || !version.startsWith("v")) {
                return -1;
            }
            return Integer.parseInt(version.substring(1, version.indexOf('.')));
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
