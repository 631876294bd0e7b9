package dev.deliberate.strategy.spar;

import dev.deliberate.prompt.PromptLibrary;
import java.util.List;
import java.util.Map;

/**
 * The templates of {@code prompts/spar/}. User text (the instruction and every response) goes inside a {@link Fence}
 * chosen for that call, and the markers the replies are read by are passed in from here, so the code that reads a
 * reply and the prompt that asks for it cannot disagree.
 */
final class SparPrompts {

    static final String JUDGE = "spar/judge";
    static final String REFINE = "spar/refine";

    static final List<String> KEYS = List.of(JUDGE, REFINE);

    private final PromptLibrary library;

    SparPrompts(PromptLibrary library) {
        this.library = library;
    }

    /** The judge's question about {@code response}: the first turn of a judgment and of a refinement. */
    String judge(String instruction, String response) {
        Fence fence = Fence.around(instruction, response);
        return library.render(
                JUDGE,
                Map.of(
                        "fence",
                        fence.line(),
                        "instruction",
                        instruction,
                        "response",
                        response,
                        "verdict",
                        Verdict.MARKER));
    }

    /** The third turn of a refinement, after the judge's question and its critique. */
    String refine() {
        return library.render(REFINE, Map.of("start", Refinement.START, "end", Refinement.END));
    }
}
