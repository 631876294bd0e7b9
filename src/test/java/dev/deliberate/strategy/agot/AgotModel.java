package dev.deliberate.strategy.agot;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.model.Generation;
import dev.deliberate.model.GenerationRequest;
import dev.deliberate.testkit.ScriptedEndpoint;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * A scripted solver that answers by prompt role, read from the heading each agot template starts with. Public for the
 * overhead benchmark, whose fake backend answers by the same roles.
 */
public final class AgotModel {

    public enum Role {
        INITIAL,
        SUBTASKS,
        NEW_TASKS,
        COMPLEXITY,
        EXECUTE,
        FINAL_TASK,
        FINAL,
        REPAIR
    }

    /** What the script sees of a request: its role and the prompt of its last user message. */
    record Ask(Role role, String prompt, GenerationRequest request) {}

    private AgotModel() {}

    static ScriptedEndpoint endpoint(Function<Ask, String> script) {
        return replying(ask -> Mono.just(script.apply(ask)));
    }

    static ScriptedEndpoint replying(Function<Ask, Mono<String>> script) {
        return new ScriptedEndpoint(
                "local",
                Capabilities.full(Capabilities.Source.CONFIGURED),
                (request, call) -> script.apply(ask(request)).map(text -> generation(text)));
    }

    private static Generation generation(String text) {
        return ScriptedEndpoint.generation("local", List.of(ScriptedEndpoint.choice(0, text)));
    }

    static Ask ask(GenerationRequest request) {
        List<ChatMessage> messages = request.messages();
        String last = messages.get(messages.size() - 1).content();
        return new Ask(role(last), last, request);
    }

    public static Role role(String prompt) {
        if (prompt.startsWith("Your reply could not be used")) {
            return Role.REPAIR;
        }
        if (prompt.startsWith("## Plan: initial tasks")) {
            return Role.INITIAL;
        }
        if (prompt.startsWith("## Plan: sub-tasks")) {
            return Role.SUBTASKS;
        }
        if (prompt.startsWith("## Plan: next tasks")) {
            return Role.NEW_TASKS;
        }
        if (prompt.startsWith("## Check: complexity")) {
            return Role.COMPLEXITY;
        }
        if (prompt.startsWith("## Execute: task")) {
            return Role.EXECUTE;
        }
        if (prompt.startsWith("## Plan: final task")) {
            return Role.FINAL_TASK;
        }
        if (prompt.startsWith("## Execute: final answer")) {
            return Role.FINAL;
        }
        throw new AssertionError("unknown prompt: " + prompt);
    }

    /** The title of the task a TASK_EXECUTION or COMPLEXITY_CHECK prompt is about. */
    public static String title(String prompt) {
        int at = prompt.indexOf("Title: ");
        return prompt.substring(at + 7, prompt.indexOf('\n', at));
    }

    public static String tasks(String... titles) {
        StringBuilder out = new StringBuilder("{\"strategy\": \"split\", \"tasks\": [");
        for (int i = 0; i < titles.length; i++) {
            out.append(i == 0 ? "" : ", ")
                    .append("{\"title\": \"")
                    .append(titles[i])
                    .append("\", \"content\": \"do ")
                    .append(titles[i])
                    .append("\"}");
        }
        return out.append("]}").toString();
    }

    /** New tasks, each {@code title=parent,parent}. */
    public static String next(String... tasks) {
        StringBuilder out = new StringBuilder("{\"strategy\": \"fill gaps\", \"tasks\": [");
        for (int i = 0; i < tasks.length; i++) {
            String[] parts = tasks[i].split("=");
            out.append(i == 0 ? "" : ", ")
                    .append("{\"title\": \"")
                    .append(parts[0])
                    .append("\", \"content\": \"do ")
                    .append(parts[0])
                    .append("\", \"parent_ids\": [")
                    .append(parts.length > 1 ? parts[1] : "")
                    .append("]}");
        }
        return out.append("]}").toString();
    }

    public static String finalTask(String parents) {
        return "{\"strategy\": \"done\", \"final_task\": {\"title\": \"Combine\", \"content\": \"combine\","
                + " \"parent_ids\": [" + parents + "]}}";
    }

    public static String verdict(boolean complex) {
        return "{\"is_complex\": " + complex + ", \"justification\": \"because\"}";
    }

    public static String result(String answer) {
        return "{\"answer\": \"" + answer + "\"}";
    }
}
