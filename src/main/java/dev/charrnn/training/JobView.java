package dev.charrnn.training;

import java.time.Instant;
import java.util.List;

import dev.charrnn.nn.ModelSpec;
import dev.charrnn.train.Alert;
import dev.charrnn.train.TrainingSchedule;
import io.swagger.v3.oas.annotations.media.Schema;

/** A training job as the API shows it. */
@Schema(description = "A training job: state, progress and latest metrics")
public record JobView(
        @Schema(description = "Job id", example = "7c1e2a90") String id,
        @Schema(description = "QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED or INTERRUPTED (the service stopped while it ran)", example = "RUNNING") JobState state,
        @Schema(description = "Model the job writes", example = "demo") String modelName,
        @Schema(description = "Corpus it trains on", example = "3f2a9c0d41b7e855") String corpusId,
        ModelSpec spec,
        TrainingSchedule schedule,
        @Schema(description = "Optimiser steps done", example = "40") long iteration,
        @Schema(description = "Completed passes over the training split", example = "0") long epoch,
        @Schema(description = "Loss of the last minibatch, nats per character", example = "2.05") Double trainLoss,
        @Schema(description = "Latest validation loss, bits per character", example = "2.9") Double valBpc,
        @Schema(description = "Best validation loss so far, bits per character: the weights the model keeps",
                example = "2.7") Double bestValBpc,
        @Schema(description = "Iteration of the best validation loss", example = "800") Long bestIteration,
        @Schema(description = "Training throughput", example = "15000") Double charsPerSecond,
        @Schema(description = "Global norm of the per-character gradient before clipping", example = "0.8")
        Double gradNorm,
        @Schema(description = "Fraction of the schedule done, 0..1", example = "0.4") double progress,
        @Schema(description = "Estimated seconds left while running (from the pace so far)", example = "95")
        Double etaSeconds,
        @Schema(description = "Gradient findings so far: what was seen, where, what to try")
        List<Alert> alerts,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        @Schema(description = "Why the job failed, when it did") String error) {
}
