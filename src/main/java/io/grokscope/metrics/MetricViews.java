package io.grokscope.metrics;

import io.grokscope.analysis.Metric;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The JSON shapes of the curves API. */
final class MetricViews {

    private MetricViews() {
    }

    @Schema(name = "Downsampling", description = "How a series was thinned: MIN_MAX keeps the lowest and the highest"
            + " point of each of `buckets` equal-width step buckets, in step order.")
    record DownsamplingView(@Schema(allowableValues = "MIN_MAX", requiredMode = Schema.RequiredMode.REQUIRED) String method,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) int buckets) {
    }

    @Schema(name = "MetricSeries", requiredProperties = { "name", "steps", "values", "downsampled" }, description = "One metric's points in step order. Non-finite values (a diverged"
            + " loss) are null.")
    record SeriesView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) Metric name,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Long> steps,
            @ArraySchema(schema = @Schema(type = "number", format = "double", nullable = true)) List<Double> values,
            @Schema(nullable = true, requiredMode = Schema.RequiredMode.REQUIRED) DownsamplingView downsampled) {

        static SeriesView of(MetricQueries.Series series) {
            List<Long> steps = java.util.Arrays.stream(series.steps()).boxed().toList();
            List<Double> values = java.util.Arrays.stream(series.values())
                    .mapToObj(v -> Double.isFinite(v) ? v : null).toList();
            MetricQueries.Downsampling d = series.downsampled();
            return new SeriesView(series.name(), steps, values,
                    d == null ? null : new DownsamplingView(d.method(), d.buckets()));
        }
    }

    @Schema(name = "ExperimentMetrics", description = "`provisional` names the series in this response whose values"
            + " are provisional: restricted_loss and excluded_loss while they hold each step's own key set, until the"
            + " whole-run recomputation (final key set at every stored step) has replaced them when the run ended.")
    record ExperimentMetricsView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) long experimentId,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<SeriesView> series,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Metric> provisional) {
    }

    @Schema(name = "MetricsComparison")
    record ComparisonView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<ExperimentMetricsView> experiments) {
    }

    @Schema(name = "Spectrum", description = "Per-frequency Fourier norms n_k (k = 1..(p-1)/2) of the embedding W_E and"
            + " of W_L, the map into the logits, at one measured step.")
    record SpectrumView(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) long experimentId, @Schema(requiredMode = Schema.RequiredMode.REQUIRED) long step,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Integer> frequencies, @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Double> embedNorms,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Double> unembedNorms, @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Integer> keyFrequencies,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Long> measuredSteps,
            @ArraySchema(schema = @Schema(type = "number", format = "double", nullable = true),
                    arraySchema = @Schema(nullable = true, description = "The training loss with only frequency k"
                            + " removed from the logits, for each k of `frequencies` (Nanda et al.'s footnote 3;"
                            + " excluded_loss_max is their maximum); null for steps measured before it was recorded"
                            + " and for tasks without restricted/excluded loss."))
            List<Double> excludedLosses) {
    }
}
