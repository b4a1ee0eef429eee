package io.grokscope.sweep;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a {@link PhaseDiagram} as a standalone SVG picture in the manner of Liu et al. (2022)'s phase diagrams: one
 * coloured cell per grid point (coloured by verdict whatever the value shown), the value written in it, the y axis
 * increasing upwards, axis titles, value labels and a legend. Every piece of text comes from the client (axis paths,
 * string values, the sweep's name), so all of it is escaped.
 */
final class PhaseDiagramSvg {

    static final String MEDIA_TYPE = "image/svg+xml";

    private static final int CELL_WIDTH = 116;
    private static final int CELL_HEIGHT = 56;
    private static final int LEFT = 130;
    private static final int TOP = 64;
    private static final int BOTTOM = 64;
    private static final int LEGEND_WIDTH = 215;

    /** Fill per verdict; the text on them is dark, so they stay light. */
    private static final Map<String, String> FILLS = Map.of("CONFUSION", "#e6746b", "MEMORIZATION", "#fdae6b",
            "GROKKING", "#74c476", "COMPREHENSION", "#6a9fd4");
    private static final String NO_RESULT_FILL = "#e3e3e3";
    private static final List<String> LEGEND = List.of("COMPREHENSION", "GROKKING", "MEMORIZATION", "CONFUSION");

    private PhaseDiagramSvg() {
    }

    static String render(PhaseDiagram diagram) {
        List<PhaseDiagram.Row> rows = diagram.rows();
        int columns = diagram.x().values().size();
        int gridWidth = columns * CELL_WIDTH;
        int gridHeight = rows.size() * CELL_HEIGHT;
        int width = LEFT + gridWidth + LEGEND_WIDTH;
        int height = TOP + gridHeight + BOTTOM;

        StringBuilder svg = new StringBuilder(4096);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.append("<title>").append(escape(title(diagram))).append("</title>\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        text(svg, LEFT, 22, "start", 15, "bold", title(diagram));
        String context = context(diagram);
        if (!context.isEmpty()) {
            text(svg, LEFT, 40, "start", 11, "normal", context);
        }

        for (int r = 0; r < rows.size(); r++) {
            // the first value of y at the bottom, as on a plot
            int top = TOP + (rows.size() - 1 - r) * CELL_HEIGHT;
            PhaseDiagram.Row row = rows.get(r);
            text(svg, LEFT - 8, top + CELL_HEIGHT / 2 + 4, "end", 11, "normal", AxisValues.display(row.y()));
            for (int c = 0; c < row.cells().size(); c++) {
                cell(svg, LEFT + c * CELL_WIDTH, top, row.cells().get(c), diagram.value());
            }
        }
        for (int c = 0; c < columns; c++) {
            text(svg, LEFT + c * CELL_WIDTH + CELL_WIDTH / 2, TOP + gridHeight + 16, "middle", 11, "normal",
                    AxisValues.display(diagram.x().values().get(c)));
        }
        svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(gridWidth)
                .append("\" height=\"").append(gridHeight).append("\" fill=\"none\" stroke=\"#444444\"/>\n");
        text(svg, LEFT + gridWidth / 2, TOP + gridHeight + 40, "middle", 13, "bold", diagram.x().path());
        int yMiddle = TOP + gridHeight / 2;
        svg.append("<text x=\"20\" y=\"").append(yMiddle).append("\" text-anchor=\"middle\" font-size=\"13\"")
                .append(" font-weight=\"bold\" transform=\"rotate(-90 20 ").append(yMiddle).append(")\">")
                .append(escape(diagram.y().path())).append("</text>\n");
        legend(svg, LEFT + gridWidth + 24, TOP);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String title(PhaseDiagram diagram) {
        return diagram.name() + " — " + (diagram.value().equals("verdict") ? "verdict" : diagram.value()
                + " (colour: verdict)");
    }

    private static String context(PhaseDiagram diagram) {
        StringBuilder context = new StringBuilder();
        diagram.filters().forEach((path, value) -> context.append(context.isEmpty() ? "" : "; ").append(path)
                .append(" = ").append(AxisValues.display(value)));
        if (!diagram.pooledAxes().isEmpty()) {
            context.append(context.isEmpty() ? "" : "; ").append("pooled over ")
                    .append(String.join(", ", diagram.pooledAxes()));
        }
        return context.toString();
    }

    private static void cell(StringBuilder svg, int x, int y, PhaseDiagram.Cell cell, String value) {
        String fill = cell.verdict() == null ? NO_RESULT_FILL : FILLS.getOrDefault(cell.verdict(), NO_RESULT_FILL);
        svg.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(CELL_WIDTH)
                .append("\" height=\"").append(CELL_HEIGHT).append("\" fill=\"").append(fill).append('"');
        if (!cell.unanimous()) {
            svg.append(" fill-opacity=\"0.55\"");
        }
        svg.append(" stroke=\"#ffffff\" stroke-width=\"2\"/>\n");
        int counted = cell.verdictCounts().values().stream().mapToInt(Integer::intValue).sum();
        String first;
        String second;
        if (value.equals("verdict")) {
            first = cell.verdict() == null ? (cell.pending() > 0 ? "pending" : "no result") : cell.verdict();
            second = cell.verdict() == null ? "" : cell.verdictCounts().get(cell.verdict()) + "/" + counted
                    + " seeds";
        } else {
            RunStatistic statistic = cell.statistic();
            if (statistic == null || statistic.n() == 0) {
                first = cell.pending() > 0 ? "pending" : "no result";
                second = "";
            } else if (statistic.mean() == null) {
                first = "never";
                second = statistic.censored() + " censored";
            } else {
                first = steps(statistic.mean());
                second = statistic.reached() + "/" + statistic.n() + " reached";
            }
        }
        if (cell.pending() > 0 && !first.equals("pending")) {
            second = (second.isEmpty() ? "" : second + ", ") + cell.pending() + " pending";
        }
        int middle = x + CELL_WIDTH / 2;
        text(svg, middle, y + CELL_HEIGHT / 2 - 2, "middle", 11, "bold", first);
        if (!second.isEmpty()) {
            text(svg, middle, y + CELL_HEIGHT / 2 + 13, "middle", 9, "normal", second);
        }
    }

    private static void legend(StringBuilder svg, int x, int y) {
        text(svg, x, y + 10, "start", 12, "bold", "verdict");
        int row = y + 22;
        for (String verdict : LEGEND) {
            swatch(svg, x, row, FILLS.get(verdict), false);
            text(svg, x + 22, row + 11, "start", 11, "normal", verdict);
            row += 20;
        }
        swatch(svg, x, row, NO_RESULT_FILL, false);
        text(svg, x + 22, row + 11, "start", 11, "normal", "no finished run");
        row += 20;
        swatch(svg, x, row, FILLS.get("GROKKING"), true);
        text(svg, x + 22, row + 11, "start", 11, "normal", "paler: seeds disagree");
    }

    private static void swatch(StringBuilder svg, int x, int y, String fill, boolean pale) {
        svg.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"14\" height=\"14\" fill=\"")
                .append(fill).append('"').append(pale ? " fill-opacity=\"0.55\"" : "")
                .append(" stroke=\"#888888\"/>\n");
    }

    private static void text(StringBuilder svg, int x, int y, String anchor, int size, String weight, String text) {
        svg.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"").append(anchor)
                .append("\" font-size=\"").append(size).append('"');
        if (!weight.equals("normal")) {
            svg.append(" font-weight=\"").append(weight).append('"');
        }
        svg.append('>').append(escape(text)).append("</text>\n");
    }

    /** Steps as people read them: 940, 12.3k, 1.2M. */
    static String steps(double value) {
        double abs = Math.abs(value);
        if (abs >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", value / 1_000_000);
        }
        if (abs >= 10_000) {
            return String.format(Locale.ROOT, "%.1fk", value / 1_000);
        }
        return String.valueOf(Math.round(value));
    }

    /**
     * Text and attribute content for XML: the five markup characters escaped, and the characters XML 1.0 cannot
     * carry at all (control characters, lone surrogates) replaced, so the document is always well-formed.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || Character.isSurrogate(c)
                            || c == 0xFFFE || c == 0xFFFF) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
