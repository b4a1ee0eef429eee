package io.grokscope.experiment;

/** Where an experiment is in its life: QUEUED, then RUNNING, then one of the three terminal states. */
public enum ExperimentStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
