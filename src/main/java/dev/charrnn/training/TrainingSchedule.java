package dev.charrnn.training;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;

/** How long to train and how often to evaluate. Missing fields take the defaults described. */
@Schema(description = "Training budget and evaluation cadence")
public record TrainingSchedule(
        @Schema(description = "Optimiser steps to run (one step = one batchSize x seqLength window). Default 1000",
                example = "200")
        @Positive Integer maxIterations,
        @Schema(description = "Fraction of the corpus, taken from its end, held out for validation. Default 0.1",
                example = "0.1")
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax(value = "0.5") Double validationFraction,
        @Schema(description = "Evaluate validation loss every N iterations (and at the end). Default 100",
                example = "50")
        @Positive Integer evalEvery) {

    public TrainingSchedule {
        maxIterations = maxIterations != null ? maxIterations : 1000;
        validationFraction = validationFraction != null ? validationFraction : 0.1;
        evalEvery = evalEvery != null ? evalEvery : 100;
    }

    public static TrainingSchedule defaults() {
        return new TrainingSchedule(null, null, null);
    }
}
