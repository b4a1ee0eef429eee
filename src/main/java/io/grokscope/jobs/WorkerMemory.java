package io.grokscope.jobs;

import io.grokscope.web.ServiceLimits;
import org.bytedeco.javacpp.Pointer;

/**
 * How much memory one training on this instance may use, for refusing a spec whose estimate exceeds it before it is
 * queued: {@code grokscope.limits.worker-memory} / {@code worker-heap} when set, else derived from this JVM's own
 * limits shared among its workers. ND4J's arrays live off-heap and JavaCPP refuses allocations past its
 * {@code maxbytes} ({@code -Dorg.bytedeco.javacpp.maxbytes}, by default as large as {@code -Xmx}), so that is the
 * off-heap budget; the heap holds checkpoints and the progress measures' table logits, and half of it is left to the
 * rest of the service.
 *
 * <p>The budget is this instance's. In a cluster whose API instances differ from the training ones (or have
 * {@code grokscope.jobs.enabled=false}), set both properties to what a training instance's worker has.
 *
 * @param offHeapBytes off-heap bytes one training may use
 * @param heapBytes    heap bytes one training may use
 */
public record WorkerMemory(long offHeapBytes, long heapBytes) {

    /** The budget in effect for this JVM. */
    public static WorkerMemory of(ServiceLimits limits, JobProperties jobs) {
        int workers = jobs.effectiveWorkers(Runtime.getRuntime().availableProcessors());
        long maxHeap = Runtime.getRuntime().maxMemory();
        long maxOffHeap = Pointer.maxBytes() > 0 ? Pointer.maxBytes() : maxHeap; // 0 means "no limit" to JavaCPP
        return new WorkerMemory(
                limits.workerMemory() != null ? limits.workerMemory().toBytes() : maxOffHeap / workers,
                limits.workerHeap() != null ? limits.workerHeap().toBytes() : maxHeap / 2 / workers);
    }
}
