package dev.charrnn.gradients;

import java.util.List;

import dev.charrnn.train.Contraction;
import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "Gradient flow through time of one window")
public record GradientFlowResponse(
        @Schema(example = "demo") String model,
        @Schema(description = "Window length T", example = "50") int steps,
        @Schema(description = "||dL_T/dx_t|| for t = 1..T (the last is the last step's own input)")
        List<Double> inputGradientNorms,
        @Schema(description = "Per recurrent layer, ||dL_T/dh_t|| for t = 1..T of its output, recurrence included")
        List<List<Double>> hiddenGradientNorms,
        @Schema(description = "||dL_T/dx_1|| / ||dL_T/dx_T||: how much survives T-1 steps back", example = "2.5E-7")
        double firstToLastRatio,
        @Schema(description = "Steps back at which the gradient first falls below 1e-3 of the last step's; "
                + "null when it never does in this window", example = "23")
        Integer vanishesAfterSteps,
        @Schema(description = "Per recurrent layer, the factor by which ||dL_T/dh_t|| shrinks or grows per step back, "
                + "beside lambda1 of its recurrent matrix (and an LSTM's mean forget gate)")
        List<Contraction> contraction) {
}
