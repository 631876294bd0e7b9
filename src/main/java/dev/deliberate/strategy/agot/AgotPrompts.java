package dev.deliberate.strategy.agot;

import dev.deliberate.prompt.PromptLibrary;
import java.util.List;
import java.util.Map;

/** The templates of {@code prompts/agot/}, one per prompt role, rendered with literal user text. */
final class AgotPrompts {

    static final String INITIAL_TASKS = "agot/initial-tasks";
    static final String INITIAL_SUBTASKS = "agot/initial-subtasks";
    static final String NEW_TASKS = "agot/new-tasks";
    static final String COMPLEXITY_CHECK = "agot/complexity-check";
    static final String TASK_EXECUTION = "agot/task-execution";
    static final String LEAF_TASK = "agot/leaf-task";
    static final String FINAL_TASK = "agot/final-task";
    static final String FINAL_EXECUTION = "agot/final-execution";
    static final String REPAIR = "agot/repair";

    static final List<String> KEYS = List.of(
            INITIAL_TASKS,
            INITIAL_SUBTASKS,
            NEW_TASKS,
            COMPLEXITY_CHECK,
            TASK_EXECUTION,
            LEAF_TASK,
            FINAL_TASK,
            FINAL_EXECUTION,
            REPAIR);

    private final PromptLibrary library;

    AgotPrompts(PromptLibrary library) {
        this.library = library;
    }

    String render(String key, Map<String, ?> variables) {
        return library.render(key, variables);
    }
}
