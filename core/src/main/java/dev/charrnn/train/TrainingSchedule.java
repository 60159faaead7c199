package dev.charrnn.train;

import java.time.Duration;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;

/**
 * How long to train and how often to evaluate and checkpoint. Training stops at the first bound
 * reached among maxIterations, epochs and maxDuration (1000 iterations when none is given).
 */
@Schema(description = "Training budget, evaluation, checkpoints and early stopping")
public record TrainingSchedule(
        @Schema(description = "Optimiser steps to run (one step = one batchSize x seqLength window). "
                + "Default 1000 when no other bound is given", example = "200")
        @Positive Integer maxIterations,
        @Schema(description = "Passes over the training split. Default: unbounded", example = "50")
        @Positive Integer epochs,
        @Schema(description = "Wall-clock budget, ISO-8601 (PT30M) or seconds. Default: unbounded", example = "PT10M",
                type = "string")
        Duration maxDuration,
        @Schema(description = "Fraction of the corpus, taken from its end, held out for validation. Default 0.1",
                example = "0.1")
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax(value = "0.5") Double validationFraction,
        @Schema(description = "Evaluate validation loss every N iterations (and at the end). Default 100",
                example = "50")
        @Positive Integer evalEvery,
        @Schema(description = "Write a checkpoint every N iterations. Default 1000", example = "100")
        @Positive Integer checkpointEvery,
        @Schema(description = "Early stopping: stop after this many evaluations without a better validation loss. "
                + "Default: off", example = "5")
        @Positive Integer patience,
        @Schema(description = "Where to train: local (this service, default) or spark (a Spark cluster; whole "
                + "epochs, so give epochs; new models only)", example = "local")
        TrainingEngine engine,
        @Schema(description = "Spark settings when engine is spark; defaults from charrnn.spark.*", nullable = true)
        @Valid SparkOptions spark) {

    public TrainingSchedule {
        if (maxIterations == null && epochs == null && maxDuration == null) {
            maxIterations = 1000;
        }
        validationFraction = validationFraction != null ? validationFraction : 0.1;
        evalEvery = evalEvery != null ? evalEvery : 100;
        checkpointEvery = checkpointEvery != null ? checkpointEvery : 1000;
        engine = engine != null ? engine : TrainingEngine.LOCAL;
    }

    /** A local schedule. */
    public TrainingSchedule(Integer maxIterations, Integer epochs, Duration maxDuration, Double validationFraction,
                            Integer evalEvery, Integer checkpointEvery, Integer patience) {
        this(maxIterations, epochs, maxDuration, validationFraction, evalEvery, checkpointEvery, patience, null, null);
    }

    public static TrainingSchedule defaults() {
        return iterations(null, null, null);
    }

    /** An iteration budget with evaluation every {@code evalEvery}; everything else at its default. */
    public static TrainingSchedule iterations(Integer maxIterations, Double validationFraction, Integer evalEvery) {
        return new TrainingSchedule(maxIterations, null, null, validationFraction, evalEvery, null, null);
    }
}
