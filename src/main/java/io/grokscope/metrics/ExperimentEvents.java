package io.grokscope.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.database.JobStatus;
import io.grokscope.web.ServiceBusyException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>The poller never writes to a socket. It renders each stream's events into that stream's own outbox (bounded
 * by {@code grokscope.events.max-queued-bytes}; while it is full, the stream's points wait in the database and the
 * poller moves on), and a sender task per stream drains the outbox. So a client that stops reading holds up only its
 * own sender: the others keep receiving. A stream whose outbox has not moved for {@code stall-timeout} is dropped
 * (its client can reconnect with {@code Last-Event-ID} and miss nothing), and a stream with nothing to say gets a
 * comment line every {@code keep-alive}, which keeps proxies from closing it and finds clients that went away.
 */
@Component
public class ExperimentEvents implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ExperimentEvents.class);

    private final JdbcTemplate jdbc;
    private final EventSettings settings;
    private final Map<Long, List<Stream>> streams = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private ScheduledExecutorService poller;
    /** One task per stream at most, each writing to its own client; a stalled client blocks only its own. */
    private ExecutorService senders;

    ExperimentEvents(JdbcTemplate jdbc, EventSettings settings, ObjectMapper json) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.json = json;
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
        Runnable remove = () -> {
            stream.closed = true;
            streams.computeIfPresent(experimentId, (id, list) -> {
                list.remove(stream);
                return list.isEmpty() ? null : list;
            });
        };
        stream.remove = remove;
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
        List<Row> rows = jdbc.query("select j.status, j.progress_step, e.total_steps, j.steps_per_second,"
                + " j.attempt from experiment e join job j on j.experiment_id = e.id where e.id = ?", (rs, i) -> new Row(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        (Double) rs.getObject(4), rs.getInt(5)), experimentId);
        if (rows.isEmpty()) {
            // deleted: each stream ends once its sender has written what was queued (never blocking the poller)
            watching.forEach(s -> {
                enqueue(s, null, true);
                s.remove.run();
            });
            return;
        }
        Row row = rows.get(0);
        long now = System.nanoTime();
        List<Stream> pending = new java.util.ArrayList<>();
        for (Stream stream : watching) {
            if (stream.stalled(now, settings.stallTimeout())) {
                // Its client has not taken an event for the stall timeout: stop feeding it. Its sender stays blocked
                // until the socket write fails or times out; nothing else waits for it.
                log.info("Dropping a stalled event stream of experiment {} ({} bytes unsent)", experimentId,
                        stream.queuedBytes.get());
                stream.remove.run();
                stream.outbox.clear();
            } else if (stream.queuedBytes.get() >= settings.maxQueuedBytes()) {
                // no room for points: only its status and progress move on; its points wait in the database
                renderQuietly(experimentId, stream, row, new TreeMap<>(), false, now);
            } else {
                pending.add(stream);
            }
        }
        // Points are read from the least step of the streams with room. A read that stops short (a replay) serves
        // the streams it covers; the streams ahead of it (live pages beside a replaying one) get a read of their own,
        // so a client far behind never holds back the others.
        for (int read = 0; read < 4 && !pending.isEmpty(); read++) {
            long since = pending.stream().mapToLong(st -> st.lastStep).min().orElse(-1);
            TreeMap<Long, Map<String, Double>> steps = pointsAfter(experimentId, since);
            boolean caughtUp = steps.size() < settings.maxStepsPerPoll();
            long covered = caughtUp ? Long.MAX_VALUE : steps.lastKey();
            List<Stream> ahead = new java.util.ArrayList<>();
            for (Stream stream : pending) {
                if (stream.lastStep < covered) {
                    renderQuietly(experimentId, stream, row, steps, caughtUp, now);
                } else {
                    ahead.add(stream);
                }
            }
            pending = ahead;
        }
    }

    private void renderQuietly(long experimentId, Stream stream, Row row, TreeMap<Long, Map<String, Double>> steps,
            boolean caughtUp, long now) {
        try {
            render(stream, row, steps, caughtUp, now);
        } catch (IOException e) {
            log.warn("Could not render an event of experiment {}: {}", experimentId, e.toString());
        }
    }

    /**
     * The points of the first {@code maxStepsPerPoll} steps after {@code since}. Why three index walks instead of one
     * "step in (select distinct step …)" query: the primary key is (experiment, metric, step), so a filter on the step
     * alone read and sorted every row of the run (about 300 ms for a 60 000-step run, on every tick, for every
     * watched run, which starved live pages under load). Walking the index per metric costs ~10 ms at any length.
     */
    private TreeMap<Long, Map<String, Double>> pointsAfter(long experimentId, long since) {
        TreeMap<Long, Map<String, Double>> steps = new TreeMap<>();
        // the run's metric names (a loose index scan) and the last step of this slice
        List<Object[]> slice = jdbc.query("""
                with recursive m(metric) as (
                    select min(metric) from metric_point where experiment_id = ?
                    union all
                    select (select min(p.metric) from metric_point p where p.experiment_id = ? and p.metric > m.metric)
                    from m where m.metric is not null)
                select array_agg(metric)::text[],
                       (select max(step) from (select distinct s.step from m cross join lateral (
                            select step from metric_point p where p.experiment_id = ? and p.metric = m.metric
                                and p.step > ? order by step limit ?) s
                        where m.metric is not null order by s.step limit ?) first_steps)
                from m where m.metric is not null
                """, (rs, i) -> new Object[] {
                        rs.getArray(1) == null ? null : rs.getArray(1).getArray(), rs.getObject(2) }, experimentId, experimentId,
                experimentId, since, settings.maxStepsPerPoll(), settings.maxStepsPerPoll());
        if (slice.isEmpty() || slice.get(0)[0] == null || slice.get(0)[1] == null) {
            return steps;
        }
        String[] metrics = (String[]) slice.get(0)[0];
        long last = ((Number) slice.get(0)[1]).longValue();
        jdbc.query("""
                select step, metric, value from metric_point
                where experiment_id = ? and metric = any(?) and step > ? and step <= ?
                order by step, metric
                """, rs -> {
            double value = rs.getDouble(3);
            steps.computeIfAbsent(rs.getLong(1), s -> new LinkedHashMap<>())
                    .put(rs.getString(2), Double.isFinite(value) ? value : null);
        }, experimentId, metrics, since, last);
        return steps;
    }

    /** Queues the stream's new events; never blocks. Steps beyond its outbox budget wait for a later poll. */
    private void render(Stream stream, Row row, TreeMap<Long, Map<String, Double>> steps, boolean caughtUp, long now)
            throws IOException {
        if (stream.closed) {
            return;
        }
        if (!row.status().equals(stream.lastStatus)) {
            enqueue(stream, SseEmitter.event().name("status").data(json(Map.of("status", row.status()))), false);
            stream.lastStatus = row.status();
        }
        boolean allSent = true;
        for (Map.Entry<Long, Map<String, Double>> step : steps.tailMap(stream.lastStep, false).entrySet()) {
            if (stream.queuedBytes.get() >= settings.maxQueuedBytes()) {
                allSent = false; // the rest is read again from the database once the client has taken these
                break;
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("step", step.getKey());
            data.put("values", step.getValue());
            enqueue(stream, SseEmitter.event().id(Long.toString(step.getKey())).name("metrics").data(json(data)),
                    false);
            stream.lastStep = step.getKey();
        }
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("step", row.progressStep());
        progress.put("totalSteps", row.totalSteps());
        progress.put("stepsPerSecond", row.stepsPerSecond());
        progress.put("attempt", row.attempt());
        if (!progress.equals(stream.lastProgress)) {
            enqueue(stream, SseEmitter.event().name("progress").data(json(progress)), false);
            stream.lastProgress = progress;
        }
        if (JobStatus.of(row.status()).isTerminal() && caughtUp && allSent) {
            enqueue(stream, SseEmitter.event().name("end").data(json(Map.of("status", row.status()))), true);
            stream.remove.run(); // nothing more to render; the sender completes it after the last event
        } else if (stream.queuedBytes.get() == 0 && now - stream.lastQueuedAt > settings.keepAlive().toNanos()) {
            enqueue(stream, SseEmitter.event().comment("keep-alive"), false);
        }
    }

    private String json(Object data) throws IOException {
        return json.writeValueAsString(data);
    }

    private void enqueue(Stream stream, SseEmitter.SseEventBuilder event, boolean last) {
        int bytes = event == null ? 0
                : event.build().stream().mapToInt(part -> String.valueOf(part.getData()).length()).sum();
        if (stream.queuedBytes.get() == 0) {
            stream.lastSentAt = System.nanoTime(); // the stall clock starts when something waits
        }
        stream.outbox.add(new Outgoing(event, bytes, last));
        stream.queuedBytes.addAndGet(bytes);
        stream.lastQueuedAt = System.nanoTime();
        if (stream.draining.compareAndSet(false, true)) {
            try {
                senders.execute(() -> drain(stream));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                stream.draining.set(false); // shutting down
            }
        }
    }

    /** On a sender thread: writes the stream's queued events in order, until its outbox is empty. */
    private void drain(Stream stream) {
        while (true) {
            Outgoing next = stream.outbox.poll();
            if (next == null) {
                stream.draining.set(false);
                // an event queued between the poll and the reset would otherwise wait for the next one
                if (stream.outbox.isEmpty() || !stream.draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                if (next.event() != null) {
                    stream.emitter.send(next.event());
                }
                stream.queuedBytes.addAndGet(-next.bytes());
                stream.lastSentAt = System.nanoTime();
                if (next.last()) {
                    stream.emitter.complete();
                }
            } catch (IOException | IllegalStateException e) {
                // the client went away (or the stream timed out): stop feeding it
                stream.remove.run();
                stream.outbox.clear();
                stream.queuedBytes.set(0);
                stream.draining.set(false);
                try {
                    stream.emitter.completeWithError(e);
                } catch (RuntimeException ignored) {
                    // already completed
                }
                return;
            }
        }
    }

    private record Outgoing(SseEmitter.SseEventBuilder event, int bytes, boolean last) {
    }

    @Override
    public void start() {
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "grokscope-events");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger senderCount = new AtomicInteger();
        senders = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "grokscope-events-sender-" + senderCount.incrementAndGet());
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
        if (senders != null) {
            senders.shutdownNow();
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
        final ConcurrentLinkedQueue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
        final AtomicLong queuedBytes = new AtomicLong();
        final AtomicBoolean draining = new AtomicBoolean();
        Runnable remove = () -> { };
        volatile boolean closed;
        /** The last step rendered into the outbox (not necessarily sent yet). */
        volatile long lastStep;
        volatile String lastStatus;
        volatile Map<String, Object> lastProgress;
        volatile long lastQueuedAt = System.nanoTime();
        volatile long lastSentAt = System.nanoTime();

        Stream(SseEmitter emitter, long lastStep) {
            this.emitter = emitter;
            this.lastStep = lastStep;
        }

        /** Events waiting, and none taken by the client for the timeout. */
        boolean stalled(long now, Duration timeout) {
            return queuedBytes.get() > 0 && now - lastSentAt > timeout.toNanos();
        }
    }
}
