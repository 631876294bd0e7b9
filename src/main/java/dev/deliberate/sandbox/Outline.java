package dev.deliberate.sandbox;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The structure of one Python source, as {@code ast} reads it.
 *
 * @param syntaxError the parser's message when the source does not parse (then the lists are empty)
 * @param functions the module's top-level functions, in source order
 * @param imports the module's top-level {@code import} and {@code from ... import} statements, as written
 */
public record Outline(@Nullable String syntaxError, List<Function> functions, List<String> imports) {

    public Outline {
        functions = List.copyOf(functions);
        imports = List.copyOf(imports);
    }

    public boolean parses() {
        return syntaxError == null;
    }

    /**
     * A top-level function.
     *
     * @param name its name
     * @param signature its header as {@code ast.unparse} writes it, without decorators and the colon, e.g. {@code def
     *     f(a: int, b=2) -> int}; {@code async def} for coroutines
     * @param docstring its docstring, or {@code null}
     * @param stub whether its body has nothing but a docstring, {@code pass}, {@code ...} or {@code raise
     *     NotImplementedError} (a helper left for later)
     * @param source the function's text as written, decorators included
     */
    public record Function(
            String name, String signature, @Nullable String docstring, boolean stub, String source) {}
}
