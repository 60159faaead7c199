package dev.charrnn.training;

import java.time.Instant;

import dev.charrnn.train.TrainingMetrics;

/** A training job as persisted, so jobs survive restarts; {@code best}: its best validation so far (or null). */
public record JobRecord(String id, TrainingRequest request, JobState state, TrainingMetrics metrics,
                        Instant createdAt, Instant startedAt, Instant finishedAt, String error, TrainingMetrics best) {

    public JobRecord(String id, TrainingRequest request, JobState state, TrainingMetrics metrics, Instant createdAt,
                     Instant startedAt, Instant finishedAt, String error) {
        this(id, request, state, metrics, createdAt, startedAt, finishedAt, error, null);
    }
}
