package dev.charrnn.train;

import io.swagger.v3.oas.annotations.media.Schema;

/** Where a training run stood at one point: losses, gradient norm, speed and progress. */
@Schema(description = "Training metrics at one iteration")
public record TrainingMetrics(
        @Schema(description = "Optimiser steps done", example = "300") long iteration,
        @Schema(description = "Completed passes over the training split", example = "1") long epoch,
        @Schema(description = "Training loss of the last minibatch, nats per character", example = "1.62")
        Double trainLoss,
        @Schema(description = "Validation loss over the whole validation split, bits per character", example = "2.31")
        Double valBpc,
        @Schema(description = "Validation perplexity per character (2^valBpc)", example = "4.96")
        Double valPerplexity,
        @Schema(description = "Training throughput, characters per second", example = "18500")
        Double charsPerSecond,
        @Schema(description = "Global L2 norm of the per-character gradient before clipping", example = "0.83")
        Double gradNorm,
        @Schema(description = "Fraction of the schedule's tightest bound done, 0..1", example = "0.3")
        double progress) {

    public static TrainingMetrics start(long iteration) {
        return new TrainingMetrics(iteration, 0, null, null, null, null, null, 0);
    }
}
