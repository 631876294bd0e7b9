package dev.deliberate.eval;

import dev.deliberate.answer.Answer;
import dev.deliberate.answer.AnswerExtractor;
import dev.deliberate.answer.AnswerKind;
import dev.deliberate.model.ChatMessage;
import dev.deliberate.run.Problem;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A JSONL dataset read whole: its format and its problems in file order. Blank lines are skipped; any other line that
 * is not a JSON object with the format's fields stops the read with a message naming the file and line.
 */
public record Dataset(Path file, DatasetFormat format, List<EvalProblem> problems) {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AnswerExtractor EXTRACTOR = new AnswerExtractor();

    public Dataset {
        problems = List.copyOf(problems);
    }

    /**
     * Reads {@code file}.
     *
     * @param format the format, or {@code null} to tell it from the first line's fields
     * @param limit read at most this many problems, or {@code null} for all
     * @throws DatasetException for a missing file, an unknown format or a bad line
     */
    public static Dataset read(Path file, @Nullable DatasetFormat format, @Nullable Integer limit) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file + ": no such file");
        }
        List<EvalProblem> problems = new ArrayList<>();
        DatasetFormat chosen = format;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                if (limit != null && problems.size() >= limit) {
                    break;
                }
                JsonNode node = parse(file, number, line);
                if (chosen == null) {
                    chosen = guess(node)
                            .orElseThrow(() -> new DatasetException(file
                                    + ": cannot tell the format from line 1's fields (want question and answer for"
                                    + " gsm8k, or task_id, prompt, entry_point and test for humaneval); set --format"));
                }
                problems.add(chosen == DatasetFormat.GSM8K ? gsm8k(node, file, number) : humanEval(node, file, number));
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (chosen == null) {
            throw new DatasetException(file + ": no problems (the file is empty)");
        }
        return new Dataset(file, chosen, problems);
    }

    private static Optional<DatasetFormat> guess(JsonNode node) {
        if (node.has("entry_point") || node.has("task_id")) {
            return Optional.of(DatasetFormat.HUMANEVAL);
        }
        if (node.has("question")) {
            return Optional.of(DatasetFormat.GSM8K);
        }
        return Optional.empty();
    }

    private static JsonNode parse(Path file, int number, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JacksonException e) {
            throw bad(file, number, "not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw bad(file, number, "not a JSON object");
        }
        return node;
    }

    private static EvalProblem gsm8k(JsonNode node, Path file, int number) {
        String question = text(node, "question", file, number);
        String answer = text(node, "answer", file, number);
        String last = answer.strip();
        last = last.substring(last.lastIndexOf('\n') + 1).strip();
        if (!last.startsWith("####")) {
            throw bad(file, number, "answer: the last line must be '#### N', was '" + shorten(last) + "'");
        }
        String value = last.substring("####".length()).strip();
        Answer expected = EXTRACTOR
                .extract(AnswerKind.MATH, value)
                .orElseThrow(() -> bad(file, number, "answer: '#### " + shorten(value) + "' holds no number"));
        return new EvalProblem(
                "line " + number, Problem.of(question, AnswerKind.MATH), new EvalProblem.Number(expected));
    }

    private static EvalProblem humanEval(JsonNode node, Path file, int number) {
        String taskId = text(node, "task_id", file, number);
        String prompt = text(node, "prompt", file, number);
        String entryPoint = text(node, "entry_point", file, number);
        String test = text(node, "test", file, number);
        Problem problem = new Problem(
                List.of(ChatMessage.user(prompt)), AnswerKind.CODE, new Problem.CodeSpec(entryPoint, null, List.of()));
        return new EvalProblem(taskId, problem, new EvalProblem.Tests(prompt, entryPoint, test));
    }

    private static String text(JsonNode node, String field, Path file, int number) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw bad(file, number, field + ": missing or not a non-empty string");
        }
        return value.asString();
    }

    private static DatasetException bad(Path file, int number, String message) {
        return new DatasetException(file + ":" + number + ": " + message);
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
