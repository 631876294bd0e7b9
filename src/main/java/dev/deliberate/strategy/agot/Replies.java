package dev.deliberate.strategy.agot;

import dev.deliberate.run.StepNotes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The JSON shapes the prompts ask for, read from a reply and checked against their schema. A reply that does not
 * parse or does not fit raises {@link JsonValue.SyntaxError} with a message fit to send back to the model.
 */
final class Replies {

    private Replies() {}

    /** A task as the model proposes it; {@code parentIds} are ids of the current graph, not yet checked. */
    record TaskSpec(String title, String content, List<Integer> parentIds) {
        TaskSpec {
            parentIds = List.copyOf(parentIds);
        }
    }

    /**
     * A planning reply: new tasks, or (from NEW_TASKS only) one final task.
     *
     * @param requested how many tasks the model asked for, before any cap
     */
    record Plan(
            String strategy, List<TaskSpec> tasks, @Nullable TaskSpec finalTask, int requested) {
        Plan {
            tasks = List.copyOf(tasks);
        }
    }

    /** The complexity check's verdict. */
    record Verdict(boolean complex, String justification) {}

    /** {@code {"strategy": string, "tasks": [task, ...]}} with at least one task: INITIAL_TASKS, INITIAL_SUBTASKS. */
    static final Function<Map<String, Object>, Plan> INITIAL = object -> {
        allowOnly(object, "strategy", "tasks");
        List<TaskSpec> tasks = tasks(object, false);
        if (tasks.isEmpty()) {
            throw new JsonValue.SyntaxError("\"tasks\" must hold at least one task");
        }
        return new Plan(string(object, "strategy"), tasks, null, tasks.size());
    };

    /** Either {@code {"strategy", "tasks": [...]}} or {@code {"strategy", "final_task": task}}: NEW_TASKS. */
    static final Function<Map<String, Object>, Plan> NEXT = object -> {
        allowOnly(object, "strategy", "tasks", "final_task");
        boolean hasTasks = object.containsKey("tasks");
        boolean hasFinal = object.containsKey("final_task");
        if (hasTasks == hasFinal) {
            throw new JsonValue.SyntaxError("give exactly one of \"tasks\" and \"final_task\"");
        }
        String strategy = object.containsKey("strategy") ? string(object, "strategy") : "";
        if (hasFinal) {
            return new Plan(strategy, List.of(), task(object.get("final_task"), "final_task", true), 0);
        }
        List<TaskSpec> tasks = tasks(object, true);
        if (tasks.isEmpty()) {
            throw new JsonValue.SyntaxError("\"tasks\" must hold at least one task, or give \"final_task\" instead");
        }
        return new Plan(strategy, tasks, null, tasks.size());
    };

    /** {@code {"is_complex": boolean, "justification": string}}: COMPLEXITY_CHECK. */
    static final Function<Map<String, Object>, Verdict> VERDICT = object -> {
        allowOnly(object, "is_complex", "justification");
        Object complex = object.get("is_complex");
        if (!(complex instanceof Boolean)) {
            throw new JsonValue.SyntaxError("\"is_complex\" must be true or false");
        }
        return new Verdict((Boolean) complex, string(object, "justification"));
    };

    /** {@code {"title": string, "content": string}}: FINAL_TASK (forced); its parents are every node. */
    static final Function<Map<String, Object>, TaskSpec> FINAL = object -> {
        allowOnly(object, "title", "content", "parent_ids");
        return new TaskSpec(string(object, "title"), string(object, "content"), List.of());
    };

    /** {@code {"answer": string}}: TASK_EXECUTION. */
    static final Function<Map<String, Object>, String> RESULT = object -> {
        allowOnly(object, "answer");
        return string(object, "answer");
    };

    private static List<TaskSpec> tasks(Map<String, Object> object, boolean withParents) {
        Object value = object.get("tasks");
        if (!(value instanceof List<?> list)) {
            throw new JsonValue.SyntaxError("\"tasks\" must be an array of tasks");
        }
        List<TaskSpec> tasks = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            tasks.add(task(list.get(i), "tasks[" + i + "]", withParents));
        }
        return tasks;
    }

    /** The longest title or content a task may have. */
    static final int MAX_FIELD_CHARS = 2_000;

    private static TaskSpec task(@Nullable Object value, String where, boolean withParents) {
        if (!(value instanceof Map<?, ?> raw)) {
            throw new JsonValue.SyntaxError(where + " must be an object with \"title\" and \"content\"");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) raw;
        if (withParents) {
            allowOnly(object, "title", "content", "parent_ids");
        } else {
            allowOnly(object, "title", "content");
        }
        List<Integer> parents = new ArrayList<>();
        if (withParents) {
            Object ids = object.get("parent_ids");
            if (!(ids instanceof List<?> list)) {
                throw new JsonValue.SyntaxError(where + ".parent_ids must be an array of node ids");
            }
            for (Object id : list) {
                if (!(id instanceof Double number) || number != Math.rint(number) || Math.abs(number) > 1e9) {
                    throw new JsonValue.SyntaxError(where + ".parent_ids must hold whole numbers, found " + shown(id));
                }
                parents.add(number.intValue());
            }
        }
        return new TaskSpec(string(object, "title", where), string(object, "content", where), parents);
    }

    private static String string(Map<String, Object> object, String key) {
        return string(object, key, null);
    }

    private static String string(Map<String, Object> object, String key, @Nullable String where) {
        Object value = object.get(key);
        String name = where == null ? "\"" + key + "\"" : where + "." + key;
        if (!(value instanceof String text)) {
            throw new JsonValue.SyntaxError(name + " must be a string");
        }
        if (text.isBlank()) {
            throw new JsonValue.SyntaxError(name + " must not be empty");
        }
        if (text.length() > MAX_FIELD_CHARS) {
            // Every later prompt repeats titles and contents: one long field would grow them all.
            throw new JsonValue.SyntaxError(
                    name + " has " + text.length() + " characters; keep it under " + MAX_FIELD_CHARS);
        }
        return text.strip();
    }

    /** How much model text an error quotes back. */
    static final int QUOTE_LIMIT = 40;

    /** Model text quoted back in an error (and so in the repair prompt and the trace), shortened. */
    private static String shown(@Nullable Object value) {
        return StepNotes.excerpt(String.valueOf(value), QUOTE_LIMIT);
    }

    private static void allowOnly(Map<String, Object> object, String... keys) {
        List<String> allowed = List.of(keys);
        for (String key : object.keySet()) {
            if (!allowed.contains(key)) {
                throw new JsonValue.SyntaxError(
                        "unexpected key \"" + shown(key) + "\"; allowed: " + String.join(", ", keys));
            }
        }
    }
}
