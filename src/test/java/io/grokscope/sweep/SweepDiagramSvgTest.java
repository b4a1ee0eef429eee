package io.grokscope.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** The phase diagram as SVG: well-formed whatever the text, one cell per grid point coloured by verdict, labelled. */
class SweepDiagramSvgTest {

    private static Map<String, Integer> counts(int confusion, int memorization, int grokking, int comprehension) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("CONFUSION", confusion);
        counts.put("MEMORIZATION", memorization);
        counts.put("GROKKING", grokking);
        counts.put("COMPREHENSION", comprehension);
        return counts;
    }

    private static PhaseDiagram.Cell cell(Object x, String verdict, Map<String, Integer> counts, int pending,
            RunStatistic statistic) {
        boolean unanimous = counts.values().stream().filter(n -> n > 0).count() <= 1;
        return new PhaseDiagram.Cell(x, verdict, counts, unanimous, pending, 0, statistic, List.of(1L, 2L));
    }

    /** Two weight decays × two string-valued y's whose text needs escaping; one cell has no finished run yet. */
    private static PhaseDiagram diagram(String value) {
        SweepAxis x = new SweepAxis("optimizer.weightDecay", List.of(0.1, 1));
        List<Object> yValues = new ArrayList<>();
        yValues.add("<b>&\"quoted\"'");
        yValues.add(null);
        SweepAxis y = new SweepAxis("task.expression", yValues);
        boolean numeric = !value.equals("verdict");
        RunStatistic reached = RunStatistic.of(List.of(1200L, 1300L));
        RunStatistic never = RunStatistic.of(java.util.Arrays.asList(null, null));
        List<PhaseDiagram.Row> rows = List.of(
                new PhaseDiagram.Row(yValues.get(0), List.of(
                        cell(0.1, "MEMORIZATION", counts(0, 2, 0, 0), 0, numeric ? never : null),
                        cell(1, "GROKKING", counts(0, 0, 2, 0), 0, numeric ? reached : null))),
                new PhaseDiagram.Row(null, List.of(
                        cell(0.1, null, counts(0, 0, 0, 0), 2, numeric ? RunStatistic.of(List.of()) : null),
                        cell(1, "COMPREHENSION", counts(0, 0, 1, 1), 0, numeric ? reached : null))));
        return new PhaseDiagram(7, "wd & <expr>", value, x, y, Map.of(), List.of("optimizer.gradientFilter.type"),
                rows);
    }

    private static Document parse(String svg) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
    }

    private static List<String> texts(Document document) {
        NodeList nodes = document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent());
        }
        return texts;
    }

    /** The text element with exactly this content. */
    private static Element text(Document document, String content) {
        NodeList nodes = document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getTextContent().equals(content)) {
                return (Element) nodes.item(i);
            }
        }
        throw new AssertionError("no text '" + content + "' in " + texts(document));
    }

    /** The fill of the grid cell drawn at the position of the text element's centre. */
    private static String fillUnder(Document document, Element label) {
        double x = Double.parseDouble(label.getAttribute("x"));
        double y = Double.parseDouble(label.getAttribute("y"));
        NodeList rects = document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element rect = (Element) rects.item(i);
            if (!rect.hasAttribute("x") || rect.getAttribute("width").equals("14")) {
                continue; // the background and the legend's swatches
            }
            double left = Double.parseDouble(rect.getAttribute("x"));
            double top = Double.parseDouble(rect.getAttribute("y"));
            double width = Double.parseDouble(rect.getAttribute("width"));
            double height = Double.parseDouble(rect.getAttribute("height"));
            if (!rect.getAttribute("fill").equals("none") && x > left && x < left + width && y > top
                    && y < top + height) {
                return rect.getAttribute("fill") + (rect.hasAttribute("fill-opacity") ? " pale" : "");
            }
        }
        throw new AssertionError("no cell under " + label.getTextContent());
    }

    @Test
    void isWellFormedAndCarriesClientTextVerbatim() throws Exception {
        String svg = PhaseDiagramSvg.render(diagram("verdict"));

        Document document = parse(svg);

        assertThat(document.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(svg).doesNotContain("<b>").contains("&lt;b&gt;&amp;&quot;quoted&quot;&apos;");
        assertThat(texts(document)).contains("wd & <expr> — verdict", "<b>&\"quoted\"'", "null",
                "optimizer.weightDecay", "task.expression", "0.1", "1",
                "pooled over optimizer.gradientFilter.type");
    }

    @Test
    void colorsEachCellByItsVerdictWithTheFirstYValueAtTheBottom() throws Exception {
        Document document = parse(PhaseDiagramSvg.render(diagram("verdict")));

        assertThat(fillUnder(document, text(document, "MEMORIZATION"))).isEqualTo("#fdae6b");
        assertThat(fillUnder(document, text(document, "GROKKING"))).isEqualTo("#74c476");
        // seeds disagree: paler
        assertThat(fillUnder(document, text(document, "COMPREHENSION"))).isEqualTo("#6a9fd4 pale");
        assertThat(fillUnder(document, text(document, "pending"))).isEqualTo("#e3e3e3");
        assertThat(texts(document)).contains("2/2 seeds", "1/2 seeds");
        double firstRow = Double.parseDouble(text(document, "<b>&\"quoted\"'").getAttribute("y"));
        double secondRow = Double.parseDouble(text(document, "null").getAttribute("y"));
        assertThat(firstRow).isGreaterThan(secondRow);
    }

    @Test
    void hasALegendOfEveryVerdict() throws Exception {
        List<String> texts = texts(parse(PhaseDiagramSvg.render(diagram("verdict"))));

        assertThat(texts).contains("verdict", "CONFUSION", "no finished run", "paler: seeds disagree");
        assertThat(texts.stream().filter(t -> t.equals("GROKKING")).count()).isEqualTo(2); // a cell and the legend
    }

    @Test
    void aNumericValueIsWrittenInTheCellsStillColouredByVerdict() throws Exception {
        Document document = parse(PhaseDiagramSvg.render(diagram("generalizationStep")));

        assertThat(texts(document)).contains("wd & <expr> — generalizationStep (colour: verdict)", "1250",
                "2/2 reached", "never", "2 censored");
        assertThat(fillUnder(document, text(document, "never"))).isEqualTo("#fdae6b");
    }

    @Test
    void controlCharactersAreReplacedSoTheDocumentStaysXml() throws Exception {
        assertThat(PhaseDiagramSvg.escape("a\u0001b\uD800c\uD83D\uDE00")).isEqualTo("a\uFFFDb\uFFFDc\uD83D\uDE00");
    }

    @Test
    void largeStepCountsAreAbbreviated() {
        assertThat(PhaseDiagramSvg.steps(940)).isEqualTo("940");
        assertThat(PhaseDiagramSvg.steps(12_345)).isEqualTo("12.3k");
        assertThat(PhaseDiagramSvg.steps(2_500_000)).isEqualTo("2.5M");
    }
}
