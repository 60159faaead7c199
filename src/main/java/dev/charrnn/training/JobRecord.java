package dev.charrnn.training;

import java.time.Instant;

import dev.charrnn.train.TrainingMetrics;

/** A training job as persisted, so jobs survive restarts. */
public record JobRecord(String id, TrainingRequest request, JobState state, TrainingMetrics metrics,
                        Instant createdAt, Instant startedAt, Instant finishedAt, String error) {
}
