package io.grokscope.sweep;

import java.util.Locale;

/**
 * A {@link SweepSeries} as CSV, one row per x value: the statistic's columns, then the verdict counts. Empty fields
 * mean "no value" (e.g. no mean when no run reached it); x is written as in JSON text, null as {@code null}.
 */
final class SweepSeriesCsv {

    static final String MEDIA_TYPE = "text/csv";

    private SweepSeriesCsv() {
    }

    static String write(SweepSeries series) {
        StringBuilder csv = new StringBuilder("x,n,reached,censored,pending,excluded,mean,standard_deviation,min,max,"
                + "median,confusion,memorization,grokking,comprehension\n");
        for (SweepSeries.Point point : series.points()) {
            RunStatistic s = point.statistic();
            csv.append(field(AxisValues.display(point.x()))).append(',').append(s.n()).append(',')
                    .append(s.reached()).append(',').append(s.censored()).append(',').append(point.pending())
                    .append(',').append(point.excluded()).append(',').append(number(s.mean())).append(',')
                    .append(number(s.standardDeviation())).append(',').append(number(s.min())).append(',')
                    .append(number(s.max())).append(',').append(number(s.median()));
            for (String verdict : new String[] { "CONFUSION", "MEMORIZATION", "GROKKING", "COMPREHENSION" }) {
                csv.append(',').append(point.verdictCounts().getOrDefault(verdict, 0));
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    private static String number(Double value) {
        return value == null ? "" : String.format(Locale.ROOT, "%s", value);
    }

    /** RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled. */
    private static String field(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }
}
