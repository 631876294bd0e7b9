package dev.deliberate.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows of the evaluation command's table: profile, problems, accuracy, calls, completion tokens and failures; the
 * wall time, which no two runs share, is only checked for its form.
 */
final class EvalTableRows {

    private EvalTableRows() {}

    static List<List<String>> read(String table) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : table.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| profile")) {
                continue;
            }
            String[] cells = line.substring(2, line.length() - 2).split(" \\| ");
            assertThat(cells[5]).matches("\\d+\\.\\d{3} s");
            rows.add(List.of(cells[0], cells[1], cells[2], cells[3], cells[4], cells[6]));
        }
        return rows;
    }
}
