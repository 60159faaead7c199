package dev.charrnn.training;

/**
 * Lifecycle of a training job: QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED. A job that was
 * running when the service stopped is INTERRUPTED; INTERRUPTED and CANCELLED jobs can be resumed.
 */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED;

    public boolean isResumable() {
        return this == INTERRUPTED || this == CANCELLED;
    }

    public boolean isActive() {
        return this == QUEUED || this == RUNNING;
    }
}
