package dev.charrnn.training;

/** Lifecycle of a training job. QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean isActive() {
        return this == QUEUED || this == RUNNING;
    }
}
