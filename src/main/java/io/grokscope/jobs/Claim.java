package io.grokscope.jobs;

import io.grokscope.metrics.WriteFence;

/**
 * A worker's hold on one experiment: the fence that every write of this attempt carries, and what to run.
 *
 * @param fence    experiment id, attempt number and worker; writes of a stale attempt are refused
 * @param specJson the stored complete spec
 */
record Claim(WriteFence fence, String specJson) {

    long experimentId() {
        return fence.experimentId();
    }
}
