package dev.deliberate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Renders {@link OverheadRow}s as two fixed-width text tables (stdout) and as markdown with a legend. */
final class OverheadReport {

    /** One column: its header, what it means (for the legend) and how a row renders in it. */
    record Column(String header, String meaning, Function<OverheadRow, String> value) {}

    static final List<Column> LATENCY = List.of(
            new Column("profile", "the profile (the `model` of the request)", OverheadRow::profile),
            new Column("conc", "requests in flight at once", row -> Integer.toString(row.concurrency())),
            new Column("reqs", "measured requests (after warm-up)", row -> Integer.toString(row.requests())),
            new Column("fail", "non-200 replies, service and baseline", row -> Long.toString(row.failures())),
            new Column("calls", "mean `deliberate.model_calls` per request", row -> number(row.modelCalls(), 1)),
            new Column(
                    "bound",
                    "the spec's worst-case calls per run for the profile's parameters (`-`: none given)",
                    row -> row.bound() > 0 ? Integer.toString(row.bound()) : "-"),
            new Column(
                    "rounds",
                    "sequential rounds of backend calls of one run (1 for direct and self-consistency)",
                    row -> Integer.toString(row.rounds())),
            new Column("req/s", "service throughput: requests / phase wall time", row -> number(row.throughput(), 0)),
            new Column(
                    "client p50",
                    "client wall time through the service, ms",
                    row -> ms(row.client().p50())),
            new Column("client p99", "", row -> ms(row.client().p99())),
            new Column(
                    "cp p50",
                    "the run's critical path (`deliberate.critical_path_ms` at µs resolution), ms",
                    row -> ms(row.criticalPath().p50())),
            new Column("cp p99", "", row -> ms(row.criticalPath().p99())),
            new Column(
                    "run p50",
                    "the run's own wall time (`deliberate.wall_ms` at µs resolution): admission to solution, ms",
                    row -> ms(row.runWall().p50())),
            new Column("run p99", "", row -> ms(row.runWall().p99())),
            new Column(
                    "base p50",
                    "baseline: client wall time of the same backend request sent straight to the fake, ms",
                    row -> ms(row.baseline().p50())),
            new Column("base p99", "", row -> ms(row.baseline().p99())),
            new Column(
                    "base req/s",
                    "baseline throughput at the same concurrency",
                    row -> number(row.baselineThroughput(), 0)),
            new Column(
                    "cpu/req",
                    "CPU time of the whole JVM (client + service + fake) per request through the service, ms",
                    row -> ms(row.cpuPerRequest())),
            new Column(
                    "base cpu/req",
                    "CPU time of the JVM (client + fake) per baseline request, ms",
                    row -> ms(row.baselineCpuPerRequest())),
            new Column(
                    "others %",
                    "share of all CPUs that other processes on the machine used (the busier of the two phases)",
                    row -> number(row.othersShare() * 100, 0)),
            new Column(
                    "ovh/call p50",
                    "the service's own cost per backend call: (client p50 - rounds x base p50) / calls, ms",
                    row -> ms(row.overheadPerCallP50())),
            new Column(
                    "ovh/call p99",
                    "the same at p99: (client p99 - rounds x base p99) / calls, ms",
                    row -> ms(row.overheadPerCallP99())));

    static final List<Column> RATIOS = List.of(
            new Column("profile", "", OverheadRow::profile),
            new Column("conc", "", row -> Integer.toString(row.concurrency())),
            new Column(
                    "client/cp p50",
                    "client wall / critical path, per request, then the percentile",
                    row -> ratio(row.clientOverCriticalPath().p50())),
            new Column(
                    "client/cp p99",
                    "",
                    row -> ratio(row.clientOverCriticalPath().p99())),
            new Column("client/cp of p50s", "client p50 / cp p50", row -> ratio(row.clientOverCriticalPathOfP50s())),
            new Column(
                    "run/cp p50",
                    "the run's own wall / critical path, per request (excludes HTTP in and out of the service)",
                    row -> ratio(row.runOverCriticalPath().p50())),
            new Column("run/cp p99", "", row -> ratio(row.runOverCriticalPath().p99())),
            new Column("run/cp of p50s", "run p50 / cp p50", row -> ratio(row.runOverCriticalPathOfP50s())),
            new Column(
                    "client/ideal p50",
                    "client wall / (fake latency x sequential rounds)",
                    row -> ratio(row.clientOverIdeal().p50())),
            new Column(
                    "client/ideal p99", "", row -> ratio(row.clientOverIdeal().p99())),
            new Column(
                    "wire client/cp p50",
                    "client wall / `critical_path_ms` as sent (whole ms, rounded down: biased up by up to 1 ms / cp)",
                    row -> ratio(row.wireClientOverCriticalPath().p50())),
            new Column(
                    "wire run/cp p50",
                    "`wall_ms` / `critical_path_ms` as sent (both whole ms)",
                    row -> ratio(row.wireRunOverCriticalPath().p50())),
            new Column(
                    "wire run/cp p99",
                    "",
                    row -> ratio(row.wireRunOverCriticalPath().p99())));

    private OverheadReport() {}

    static String text(List<OverheadRow> rows) {
        return table(LATENCY, rows, false) + "\n" + table(RATIOS, rows, false);
    }

    static String markdown(List<OverheadRow> rows) {
        return table(LATENCY, rows, true) + "\n" + table(RATIOS, rows, true);
    }

    static String legend() {
        StringBuilder legend = new StringBuilder();
        for (List<Column> columns : List.of(LATENCY, RATIOS)) {
            for (Column column : columns) {
                if (!column.meaning().isEmpty()) {
                    legend.append("- `")
                            .append(column.header())
                            .append("`: ")
                            .append(column.meaning())
                            .append('\n');
                }
            }
        }
        return legend.toString();
    }

    private static String table(List<Column> columns, List<OverheadRow> rows, boolean markdown) {
        List<List<String>> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::header).toList());
        for (OverheadRow row : rows) {
            cells.add(columns.stream().map(c -> c.value().apply(row)).toList());
        }
        int[] widths = new int[columns.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            out.append(line(cells.get(r), widths, markdown)).append('\n');
            if (r == 0 && markdown) {
                List<String> rule = new ArrayList<>();
                for (int i = 0; i < widths.length; i++) {
                    rule.add((i < 2 ? "-" : "") + "-".repeat(Math.max(1, widths[i] - 1)) + (i < 2 ? "" : ":"));
                }
                out.append(line(rule, widths, true)).append('\n');
            }
        }
        return out.toString();
    }

    private static String line(List<String> cells, int[] widths, boolean markdown) {
        StringBuilder line = new StringBuilder(markdown ? "| " : "");
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            String padded = i < 2 ? pad(cell, widths[i], false) : pad(cell, widths[i], true);
            line.append(padded).append(markdown ? " | " : "  ");
        }
        return line.toString().stripTrailing();
    }

    private static String pad(String cell, int width, boolean right) {
        String space = " ".repeat(Math.max(0, width - cell.length()));
        return right ? space + cell : cell + space;
    }

    static String ms(double value) {
        return number(value, 1);
    }

    static String ratio(double value) {
        return number(value, 3);
    }

    private static String number(double value, int decimals) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
