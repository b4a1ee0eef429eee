package io.grokscope.metrics;

import io.grokscope.analysis.Metric;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The newest stored points of the runs that train on this instance, kept in memory so that a dashboard's incremental
 * poll ({@code sinceStep}, or a 304 on its {@code ETag}) is answered without a query.
 *
 * <p>Why: 200 dashboards polling once a second cost two queries each (the state token's index probes and the range
 * read), and PostgreSQL's work on the same cores slowed the run they watched by half. Every point of a running attempt
 * passes through this instance's {@link MetricSink}, so the sink can append each batch here right after it commits.
 *
 * <p>What makes an answer from memory equal to the database's:
 * <ul>
 * <li>An entry opens only after the attempt has removed what an earlier attempt wrote after its checkpoint, with the
 * last stored step of each metric read then; it holds every point the attempt writes after that, in step order, so a
 * read from {@code sinceStep} on is complete when {@code sinceStep} is at or after where the entry's knowledge of that
 * metric begins. Anything else (a first read, a downsampled range, a point that scrolled out of the window) goes to
 * the database.</li>
 * <li>A point at or before a metric's last stored step is not appended (the store keeps the row it has: {@code ON
 * CONFLICT DO NOTHING}); the entry then stops claiming to know that metric's earlier steps.</li>
 * <li>The entry closes before anything but the sink writes the run's points (the whole-run recomputation at the end)
 * and when the attempt loses its fence; its state token has the database's format ({@link MetricQueries#stateToken}),
 * so an ETag from one instance is honoured by another.</li>
 * </ul>
 * Runs that train on another instance are read from the database, as before.
 */
@Component
public class LiveCurves {

    /** Newest points kept per metric of a live run: at an evaluation every 10 steps, the last 40 960 steps. */
    static final int WINDOW_POINTS = 4096;

    private final Map<Long, Entry> live = new ConcurrentHashMap<>();

    /**
     * Starts answering for one attempt, from the last stored step of each metric (read after the earlier attempt's
     * rows past the checkpoint were removed).
     */
    Entry open(WriteFence fence, Map<Metric, Long> lastStored) {
        Entry entry = new Entry(fence.attempt(), lastStored);
        live.put(fence.experimentId(), entry);
        return entry;
    }

    /** Stops answering for this attempt (a newer attempt's entry, if one opened meanwhile, stays). */
    void close(long experimentId, Entry entry) {
        live.remove(experimentId, entry);
    }

    /**
     * The database's state token for these metrics of a run training here ({@link MetricQueries#stateToken}), or
     * empty when this instance does not hold the run.
     */
    public Optional<String> stateToken(long experimentId, Collection<Metric> metrics) {
        Entry entry = live.get(experimentId);
        return entry == null ? Optional.empty() : Optional.of(entry.stateToken(metrics));
    }

    /**
     * The incremental read {@code range} (which must have a {@code sinceStep}) of a run training here, each requested
     * metric with points in the range in the order of {@code metrics}; empty when memory cannot answer it completely.
     */
    public Optional<List<MetricQueries.Series>> incremental(long experimentId, List<Metric> metrics,
            MetricQueries.Range range) {
        Entry entry = live.get(experimentId);
        return entry == null || range.sinceStep() == null ? Optional.empty() : entry.read(metrics, range);
    }

    /** Whether a run is training on this instance with its newest points in memory. */
    public boolean holds(long experimentId) {
        return live.containsKey(experimentId);
    }

    /** One attempt's newest points. All access is synchronized: a batch append against reads of a few points. */
    static final class Entry {
        private final int attempt;
        private final Map<Metric, Window> windows = new EnumMap<>(Metric.class);

        private Entry(int attempt, Map<Metric, Long> lastStored) {
            this.attempt = attempt;
            for (Metric metric : Metric.values()) {
                Long last = lastStored.get(metric);
                windows.put(metric, new Window(last == null ? -1 : last));
            }
        }

        /** Appends a committed batch. */
        synchronized void append(List<MetricPoint> batch) {
            for (MetricPoint point : batch) {
                windows.get(point.metric()).append(point.step(), point.value());
            }
        }

        private synchronized String stateToken(Collection<Metric> metrics) {
            StringJoiner steps = new StringJoiner(".");
            metrics.stream().distinct().sorted(Comparator.comparing(Metric::wireName)).forEach(metric -> {
                long last = windows.get(metric).lastStep;
                if (last >= 0) {
                    steps.add(Long.toString(last));
                }
            });
            // attempt.status.last steps.whole-run time: the whole-run record exists only once a run has ended.
            return attempt + ".RUNNING." + steps + ".";
        }

        private synchronized Optional<List<MetricQueries.Series>> read(List<Metric> metrics,
                MetricQueries.Range range) {
            long since = range.sinceStep();
            long to = range.toStep() == null ? Long.MAX_VALUE : range.toStep();
            List<MetricQueries.Series> series = new ArrayList<>(metrics.size());
            for (Metric metric : metrics) {
                Window window = windows.get(metric);
                if (since < window.knownAfter) {
                    return Optional.empty(); // points after `since` may lie before what memory holds
                }
                MetricQueries.Series points = window.after(metric, since, to, range.maxPoints());
                if (points.steps().length > 0) {
                    series.add(points);
                }
            }
            return Optional.of(series);
        }
    }

    /** A ring of one metric's newest points, in step order. */
    private static final class Window {
        private final long[] steps = new long[WINDOW_POINTS];
        private final double[] values = new double[WINDOW_POINTS];
        private int start;
        private int size;
        /** Every stored point after this step is in the ring (-1: from the first step). */
        private long knownAfter;
        /** The last stored step (-1: none). */
        private long lastStep;

        Window(long lastStored) {
            this.knownAfter = lastStored;
            this.lastStep = lastStored;
        }

        void append(long step, double value) {
            if (step <= lastStep) {
                // The store kept the row it had (ON CONFLICT DO NOTHING), or wrote a step out of order: either way
                // memory no longer knows this metric's points before its last step.
                knownAfter = Math.max(knownAfter, lastStep);
                return;
            }
            if (size == WINDOW_POINTS) {
                knownAfter = Math.max(knownAfter, steps[start]);
                start = (start + 1) % WINDOW_POINTS;
                size--;
            }
            int end = (start + size) % WINDOW_POINTS;
            steps[end] = step;
            values[end] = value;
            size++;
            lastStep = step;
        }

        /** The first {@code max} points with {@code since < step <= to}. */
        MetricQueries.Series after(Metric metric, long since, long to, int max) {
            int low = 0;
            int high = size; // first index whose step is > since
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (steps[(start + mid) % WINDOW_POINTS] <= since) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            int count = 0;
            while (low + count < size && count < max && steps[(start + low + count) % WINDOW_POINTS] <= to) {
                count++;
            }
            long[] outSteps = new long[count];
            double[] outValues = new double[count];
            for (int i = 0; i < count; i++) {
                int at = (start + low + i) % WINDOW_POINTS;
                outSteps[i] = steps[at];
                outValues[i] = values[at];
            }
            return new MetricQueries.Series(metric, outSteps, outValues, null);
        }
    }
}
