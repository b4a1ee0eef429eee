package io.grokscope.metrics;

import io.grokscope.database.DatabaseOutage;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt's metric points on their way to the database: the training thread {@link #offer}s them into a bounded
 * buffer and a background thread writes them in fenced batches through {@link MetricStore#write}.
 *
 * <p>The training thread waits only when the buffer is full (the database is slower than training, or away), which
 * bounds memory. A batch whose write fails transiently (the database restarted, a deadlock: see
 * {@link DatabaseOutage#isTransient}) is retried with backoff for up to the flush timeout, so nothing offered is lost
 * while the attempt lives; a permanent failure (a constraint, a full disk, a permission), or a transient one that
 * outlasts the timeout, ends the writer: the sink drops what it holds, and the next {@link #offer} or {@link #flush}
 * throws it, which fails the attempt (no thread left behind, no run left hanging). {@link #flush()} waits until every point offered so far is
 * stored, which the job runner does before each checkpoint and at the end, so the stored rows always cover every
 * step up to the last checkpoint. When the fence breaks (the attempt lost its lease), the sink drops what it holds
 * and reports {@link #fenceLost()}, and the run stops.
 */
public final class MetricSink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricSink.class);
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final WriteFence fence;
    private final MetricStore store;
    private final MetricSinkSettings settings;
    private final LiveCurves liveCurves;
    private volatile LiveCurves.Entry live; // non-null while pollers may be answered from memory
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<MetricPoint> pending = new ArrayDeque<>();
    private final Thread writer;
    private long offered;
    private long settled; // points written, or dropped because the fence broke
    private boolean fenceLost;
    private boolean closed;
    private RuntimeException failure; // why the writer gave up; thrown to the training thread

    MetricSink(WriteFence fence, MetricStore store, MetricSinkSettings settings, LiveCurves liveCurves) {
        this.fence = fence;
        this.store = store;
        this.settings = settings;
        this.liveCurves = liveCurves;
        this.writer = new Thread(this::writeLoop, "grokscope-metrics-" + fence.experimentId());
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Queues points for writing; waits while the buffer is full. Points offered after the fence broke are dropped. */
    public void offer(List<MetricPoint> points) {
        if (points.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            while (!fenceLost && !closed && failure == null && pending.size() + points.size() > settings.bufferPoints()
                    && !pending.isEmpty()) {
                changed.awaitUninterruptibly();
            }
            if (closed) {
                throw new IllegalStateException("sink of experiment " + fence.experimentId() + " is closed");
            }
            throwIfFailed();
            if (fenceLost) {
                return;
            }
            pending.addAll(points);
            offered += points.size();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every point offered so far is stored (or dropped because the fence broke).
     *
     * @throws IllegalStateException when the database stays away for longer than the flush timeout
     */
    public void flush() {
        lock.lock();
        try {
            long target = offered;
            long deadline = System.nanoTime() + settings.flushTimeout().toNanos();
            while (settled < target) {
                throwIfFailed();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("metrics of experiment " + fence.experimentId()
                            + " could not be written within " + settings.flushTimeout() + " (database unavailable?)");
                }
                changed.awaitNanos(left);
            }
            throwIfFailed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while flushing metrics", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * From now on, every batch this sink stores is also kept in memory for incremental polls ({@link LiveCurves}).
     * Call it once the attempt's stored rows are final up to where it starts (after removing what an earlier attempt
     * wrote past the checkpoint), and only while this sink is the run's only writer of metric points.
     */
    public void goLive() {
        flush(); // what was offered before is stored, so the last stored steps read next include it
        live = liveCurves.open(fence, store.lastSteps(fence.experimentId()));
    }

    /** Stops keeping points in memory: before anything but this sink writes the run's points. */
    public void endLive() {
        LiveCurves.Entry entry = live;
        live = null;
        if (entry != null) {
            liveCurves.close(fence.experimentId(), entry);
        }
    }

    /** Points offered but not yet written (nor dropped): what a database outage has left waiting. */
    public long backlog() {
        lock.lock();
        try {
            return offered - settled;
        } finally {
            lock.unlock();
        }
    }

    /** True once a write found that this attempt no longer owns its experiment. */
    public boolean fenceLost() {
        lock.lock();
        try {
            return fenceLost;
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held: the writer's failure, if it gave up. */
    private void throwIfFailed() {
        if (failure != null) {
            throw new IllegalStateException("metrics of experiment " + fence.experimentId() + " could not be written: "
                    + failure.getMessage(), failure);
        }
    }

    /** Flushes, then stops the writer. */
    @Override
    public void close() {
        try {
            flush();
        } finally {
            endLive();
            lock.lock();
            try {
                closed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void writeLoop() {
        // This thread's log lines name the run, like the worker's (see logging.pattern.correlation).
        org.slf4j.MDC.put("experiment", Long.toString(fence.experimentId()));
        while (true) {
            List<MetricPoint> batch = nextBatch();
            if (batch == null) {
                return;
            }
            boolean held;
            try {
                held = writeWithRetry(batch);
            } catch (RuntimeException e) {
                log.error("Giving up writing the metrics of experiment {} attempt {}: {}", fence.experimentId(),
                        fence.attempt(), e.toString());
                giveUp(batch.size(), e);
                return;
            }
            LiveCurves.Entry entry = live;
            if (held && entry != null) {
                entry.append(batch);
            } else if (!held) {
                endLive(); // another attempt owns the run now
            }
            lock.lock();
            try {
                settled += batch.size();
                if (!held) {
                    fenceLost = true;
                    settled += pending.size();
                    pending.clear();
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The writer stops: everything it holds is dropped (the attempt fails and resumes from its checkpoint). */
    private void giveUp(int inFlight, RuntimeException cause) {
        lock.lock();
        try {
            failure = cause;
            settled += inFlight + pending.size();
            pending.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next batch: waits for a first point, then lingers briefly for more. Null once closed and drained. */
    private List<MetricPoint> nextBatch() {
        lock.lock();
        try {
            while (pending.isEmpty()) {
                if (closed) {
                    return null;
                }
                changed.awaitUninterruptibly();
            }
            long lingerEnd = System.nanoTime() + settings.linger().toNanos();
            while (!closed && pending.size() < settings.batchPoints()) {
                long left = lingerEnd - System.nanoTime();
                if (left <= 0 || flushWaiting()) {
                    break;
                }
                changed.awaitNanos(left);
            }
            List<MetricPoint> batch = new ArrayList<>(Math.min(pending.size(), settings.batchPoints()));
            while (!pending.isEmpty() && batch.size() < settings.batchPoints()) {
                batch.add(pending.poll());
            }
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** A flush or a full buffer is waiting: write now instead of lingering. */
    private boolean flushWaiting() {
        return lock.hasWaiters(changed) || pending.size() >= settings.bufferPoints();
    }

    /**
     * Writes one batch; true when written, false when the fence broke. Transient failures are retried with backoff
     * for up to the flush timeout; a permanent one, or the timeout, is thrown.
     */
    private boolean writeWithRetry(List<MetricPoint> batch) {
        long backoff = 50;
        long deadline = System.nanoTime() + settings.flushTimeout().toNanos();
        while (true) {
            try {
                return store.write(fence, batch);
            } catch (RuntimeException e) {
                if (!DatabaseOutage.isTransient(e)) {
                    throw e;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the database stayed unavailable for " + settings.flushTimeout()
                            + " (" + e.getMessage() + ")", e);
                }
                log.warn("Writing {} metric points of experiment {} failed ({}); retrying in {} ms", batch.size(),
                        fence.experimentId(), e.toString(), backoff);
                try {
                    Thread.sleep(Math.min(backoff, Math.max(1, left / 1_000_000)));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return true; // shutting down hard: the rows since the last checkpoint are rewritten on resume
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }
}
