package dev.deliberate.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Accuracy against compute as an SVG drawn by hand: three panels side by side, with model calls, completion tokens and
 * wall time per problem on their x axes and accuracy on the y axis. Each profile is one mark ({@code <circle
 * class="mark" data-profile="...">}) per panel; variants of the same profile ({@code self-consistency@n=4},
 * {@code self-consistency@n=8}) share a colour and are joined by a line in order of cost.
 */
public final class AccuracyPlot {

    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"
    };
    private static final int PANEL_WIDTH = 330;
    private static final int PANEL_HEIGHT = 280;
    private static final int LEFT = 56;
    private static final int TOP = 36;
    private static final int PLOT_WIDTH = 250;
    private static final int PLOT_HEIGHT = 200;

    private record Measure(String title, String unit, ToDoubleFunction<ProfileScore> value) {}

    private static final List<Measure> MEASURES = List.of(
            new Measure("model calls / problem", "", ProfileScore::callsPerProblem),
            new Measure("completion tokens / problem", "", ProfileScore::completionTokensPerProblem),
            new Measure("wall time / problem", " s", ProfileScore::secondsPerProblem));

    private AccuracyPlot() {}

    public static String svg(List<ProfileScore> scores) {
        Map<String, String> colours = new LinkedHashMap<>();
        for (ProfileScore score : scores) {
            colours.computeIfAbsent(series(score), key -> COLOURS[colours.size() % COLOURS.length]);
        }
        int legendHeight = 20 * colours.size() + 10;
        int width = PANEL_WIDTH * MEASURES.size();
        int height = PANEL_HEIGHT + legendHeight;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"11\">\n",
                width,
                height,
                width,
                height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int i = 0; i < MEASURES.size(); i++) {
            panel(svg, MEASURES.get(i), i * PANEL_WIDTH, scores, colours);
        }
        int y = PANEL_HEIGHT;
        for (Map.Entry<String, String> entry : colours.entrySet()) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                    LEFT,
                    y + 6,
                    entry.getValue(),
                    LEFT + 12,
                    y + 10,
                    escape(entry.getKey())));
            y += 20;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(
            StringBuilder svg, Measure measure, int offset, List<ProfileScore> scores, Map<String, String> colours) {
        double max = 0;
        for (ProfileScore score : scores) {
            max = Math.max(max, measure.value().applyAsDouble(score));
        }
        double xMax = max > 0 ? max * 1.1 : 1;
        int x0 = offset + LEFT;
        int y0 = TOP + PLOT_HEIGHT;
        svg.append(String.format(Locale.ROOT, "<g class=\"panel\" data-measure=\"%s\">\n", escape(measure.title())));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">accuracy vs %s</text>\n",
                x0 + PLOT_WIDTH / 2,
                TOP - 16,
                escape(measure.title())));
        for (int percent = 0; percent <= 100; percent += 25) {
            double y = y0 - PLOT_HEIGHT * percent / 100.0;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n",
                    x0,
                    y,
                    x0 + PLOT_WIDTH,
                    y,
                    x0 - 6,
                    y + 4,
                    percent));
        }
        for (int tick = 0; tick <= 4; tick++) {
            double x = x0 + PLOT_WIDTH * tick / 4.0;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x,
                    y0,
                    x,
                    y0 + 4,
                    x,
                    y0 + 16,
                    number(xMax * tick / 4)));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
                x0,
                TOP,
                x0,
                y0,
                x0,
                y0,
                x0 + PLOT_WIDTH,
                y0));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s%s</text>\n",
                x0 + PLOT_WIDTH / 2,
                y0 + 34,
                escape(measure.title()),
                measure.unit()));
        Map<String, List<ProfileScore>> bySeries = new LinkedHashMap<>();
        for (ProfileScore score : scores) {
            bySeries.computeIfAbsent(series(score), key -> new ArrayList<>()).add(score);
        }
        for (Map.Entry<String, List<ProfileScore>> series : bySeries.entrySet()) {
            List<ProfileScore> points = new ArrayList<>(series.getValue());
            points.sort(Comparator.comparingDouble(measure.value()));
            if (points.size() > 1) {
                StringBuilder path = new StringBuilder();
                for (ProfileScore point : points) {
                    path.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(point, measure, x0, xMax), y(point, y0)));
                }
                svg.append(String.format(
                        Locale.ROOT,
                        "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\"/>\n",
                        path.toString().strip(),
                        colours.get(series.getKey())));
            }
            for (ProfileScore point : points) {
                svg.append(String.format(
                        Locale.ROOT,
                        "<circle class=\"mark\" data-profile=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\">"
                                + "<title>%s: %.1f%% at %s%s</title></circle>\n",
                        escape(point.profile()),
                        x(point, measure, x0, xMax),
                        y(point, y0),
                        colours.get(series.getKey()),
                        escape(point.profile()),
                        100 * point.accuracy(),
                        number(measure.value().applyAsDouble(point)),
                        measure.unit()));
                if (!point.profile().equals(series.getKey())) {
                    svg.append(String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%s</text>\n",
                            x(point, measure, x0, xMax) + 7,
                            y(point, y0) - 6,
                            escape(point.profile().substring(series.getKey().length() + 1))));
                }
            }
        }
        svg.append("</g>\n");
    }

    /** The profile a variant derives from: {@code self-consistency} for {@code self-consistency@n=8}. */
    private static String series(ProfileScore score) {
        int at = score.profile().indexOf('@');
        return at < 0 ? score.profile() : score.profile().substring(0, at);
    }

    private static double x(ProfileScore score, Measure measure, int x0, double xMax) {
        return x0 + PLOT_WIDTH * measure.value().applyAsDouble(score) / xMax;
    }

    private static double y(ProfileScore score, int y0) {
        return y0 - PLOT_HEIGHT * score.accuracy();
    }

    private static String number(double value) {
        if (value == 0) {
            return "0";
        }
        if (value >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (value >= 1) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
