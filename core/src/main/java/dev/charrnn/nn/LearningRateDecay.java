package dev.charrnn.nn;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;

/** Step decay: the learning rate is multiplied by {@code factor} every {@code every} iterations. */
@Schema(description = "Learning-rate step decay. Default: none (factor 1)")
public record LearningRateDecay(
        @Schema(description = "Multiplier, 0 < factor <= 1. Default 1 (no decay)", example = "0.97")
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") Double factor,
        @Schema(description = "Iterations between two multiplications. Default 1000", example = "1000")
        @Positive Integer every) {

    public LearningRateDecay {
        factor = factor != null ? factor : 1.0;
        every = every != null ? every : 1000;
    }

    public static LearningRateDecay none() {
        return new LearningRateDecay(null, null);
    }
}
