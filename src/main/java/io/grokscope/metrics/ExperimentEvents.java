package io.grokscope.metrics;

import io.grokscope.web.ServiceBusyException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events of watched experiments, fed by polling the database so that a client of any instance follows a
 * run trained on another.
 *
 * <p>Events: {@code metrics} (one per step: {@code {"step": 100, "values": {"train_loss": 0.3, ...}}}, event id =
 * the step), {@code progress} (step, total, speed, attempt, on change), {@code status} (on change), and, once the run
 * has ended and every point was sent, {@code end} with the final status, after which the stream closes. A client that
 * reconnects with {@code Last-Event-ID: n} is sent every point after step n from the database, so it misses nothing.
 *
 * <p>One poller thread serves every stream of this instance: per watched experiment and tick, one query for the
 * points after the least step its streams have seen and one for its row.
 */
@Component
public class ExperimentEvents implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExperimentEvents.class);
    private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final JdbcTemplate jdbc;
    private final EventSettings settings;
    private final Map<Long, List<Stream>> streams = new ConcurrentHashMap<>();
    private ScheduledExecutorService poller;

    ExperimentEvents(JdbcTemplate jdbc, EventSettings settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    /** How many event streams this instance serves now (a gauge in /actuator/prometheus). */
    public int openStreams() {
        return streams.values().stream().mapToInt(List::size).sum();
    }

    /** Opens a stream of one experiment's events after {@code lastStep} (-1 for everything). */
    public SseEmitter subscribe(long experimentId, long lastStep) {
        int open = openStreams();
        if (open >= settings.maxSubscribers()) {
            throw new ServiceBusyException("this instance serves " + open + " event streams (limit "
                    + settings.maxSubscribers() + ")", Duration.ofSeconds(10));
        }
        SseEmitter emitter = new SseEmitter(settings.timeout().toMillis());
        Stream stream = new Stream(emitter, lastStep);
        Runnable remove = () -> streams.computeIfPresent(experimentId, (id, list) -> {
            list.remove(stream);
            return list.isEmpty() ? null : list;
        });
        emitter.onCompletion(remove);
        emitter.onTimeout(remove);
        emitter.onError(e -> remove.run());
        streams.computeIfAbsent(experimentId, id -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(stream);
        // The first events go out at once rather than after a poll interval.
        poller.execute(() -> poll(experimentId));
        return emitter;
    }

    private void pollAll() {
        for (Long id : streams.keySet()) {
            try {
                poll(id);
            } catch (RuntimeException e) {
                log.warn("Event poll of experiment {} failed: {}", id, e.toString());
            }
        }
    }

    /** Serialised on the poller thread, so one stream never receives events from two polls at once. */
    private synchronized void poll(long experimentId) {
        List<Stream> watching = streams.get(experimentId);
        if (watching == null || watching.isEmpty()) {
            return;
        }
        List<Row> rows = jdbc.query("select status, progress_step, total_steps, steps_per_second, attempt from"
                + " experiment where id = ?", (rs, i) -> new Row(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        (Double) rs.getObject(4), rs.getInt(5)), experimentId);
        if (rows.isEmpty()) {
            watching.forEach(s -> s.emitter.complete()); // deleted
            return;
        }
        Row row = rows.get(0);
        long since = watching.stream().mapToLong(s -> s.lastStep).min().orElse(-1);
        TreeMap<Long, Map<String, Double>> steps = pointsAfter(experimentId, since);
        boolean caughtUp = steps.size() < settings.maxStepsPerPoll();
        for (Stream stream : watching) {
            try {
                send(stream, row, steps, caughtUp);
            } catch (IOException | IllegalStateException e) {
                stream.emitter.completeWithError(e); // the client went away
            }
        }
    }

    private TreeMap<Long, Map<String, Double>> pointsAfter(long experimentId, long since) {
        TreeMap<Long, Map<String, Double>> steps = new TreeMap<>();
        jdbc.query("""
                select step, metric, value from metric_point
                where experiment_id = ? and step in (select distinct step from metric_point
                                                     where experiment_id = ? and step > ? order by step limit ?)
                order by step, metric
                """, rs -> {
            double value = rs.getDouble(3);
            steps.computeIfAbsent(rs.getLong(1), s -> new LinkedHashMap<>())
                    .put(rs.getString(2), Double.isFinite(value) ? value : null);
        }, experimentId, experimentId, since, settings.maxStepsPerPoll());
        return steps;
    }

    private void send(Stream stream, Row row, TreeMap<Long, Map<String, Double>> steps, boolean caughtUp)
            throws IOException {
        if (!row.status().equals(stream.lastStatus)) {
            stream.emitter.send(SseEmitter.event().name("status").data(Map.of("status", row.status())));
            stream.lastStatus = row.status();
        }
        for (Map.Entry<Long, Map<String, Double>> step : steps.tailMap(stream.lastStep, false).entrySet()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("step", step.getKey());
            data.put("values", step.getValue());
            stream.emitter.send(SseEmitter.event().id(Long.toString(step.getKey())).name("metrics").data(data));
            stream.lastStep = step.getKey();
        }
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("step", row.progressStep());
        progress.put("totalSteps", row.totalSteps());
        progress.put("stepsPerSecond", row.stepsPerSecond());
        progress.put("attempt", row.attempt());
        if (!progress.equals(stream.lastProgress)) {
            stream.emitter.send(SseEmitter.event().name("progress").data(progress));
            stream.lastProgress = progress;
        }
        if (ENDED.contains(row.status()) && caughtUp) {
            stream.emitter.send(SseEmitter.event().name("end").data(Map.of("status", row.status())));
            stream.emitter.complete();
        }
    }

    @Override
    public void start() {
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "grokscope-events");
            t.setDaemon(true);
            return t;
        });
        long every = settings.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::pollAll, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        streams.values().forEach(list -> list.forEach(s -> s.emitter.complete()));
        streams.clear();
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return poller != null && !poller.isShutdown();
    }

    private record Row(String status, long progressStep, long totalSteps, Double stepsPerSecond, int attempt) {
    }

    private static final class Stream {
        final SseEmitter emitter;
        volatile long lastStep;
        volatile String lastStatus;
        volatile Map<String, Object> lastProgress;

        Stream(SseEmitter emitter, long lastStep) {
            this.emitter = emitter;
            this.lastStep = lastStep;
        }
    }
}
