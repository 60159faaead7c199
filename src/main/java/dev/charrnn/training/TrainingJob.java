package dev.charrnn.training;

import java.time.Instant;

import dev.charrnn.model.TrainingMetrics;

/**
 * One training run and its state machine. Written by the worker thread, read by request
 * threads: every transition is synchronized and {@link #view()} takes a consistent snapshot.
 */
public final class TrainingJob {

    private final String id;
    private final TrainingRequest request;
    private final Instant createdAt = Instant.now();
    private JobState state = JobState.QUEUED;
    private TrainingMetrics metrics = TrainingMetrics.start(0);
    private Instant startedAt;
    private Instant finishedAt;
    private String error;
    private volatile boolean cancelRequested;

    TrainingJob(String id, TrainingRequest request) {
        this.id = id;
        this.request = request;
    }

    public String id() {
        return id;
    }

    public TrainingRequest request() {
        return request;
    }

    public synchronized JobState state() {
        return state;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Moves to RUNNING unless the job was cancelled while queued. */
    synchronized boolean start() {
        if (state != JobState.QUEUED) {
            return false;
        }
        state = JobState.RUNNING;
        startedAt = Instant.now();
        return true;
    }

    synchronized void progress(TrainingMetrics latest) {
        metrics = latest;
    }

    /** Requests a stop; a queued job is cancelled at once, a running one after its current step. */
    synchronized boolean cancel() {
        if (!state.isActive()) {
            return false;
        }
        cancelRequested = true;
        if (state == JobState.QUEUED) {
            finish(JobState.CANCELLED, null);
        }
        return true;
    }

    synchronized void finish(JobState end, String reason) {
        state = end;
        error = reason;
        finishedAt = Instant.now();
    }

    public synchronized JobView view() {
        return new JobView(id, state, request.modelName(), request.corpusId(), request.spec(), request.schedule(),
                metrics.iteration(), metrics.epoch(), metrics.trainLoss(), metrics.valBpc(),
                metrics.charsPerSecond(), metrics.gradNorm(), state == JobState.SUCCEEDED ? 1.0 : metrics.progress(),
                createdAt, startedAt, finishedAt, error);
    }
}
