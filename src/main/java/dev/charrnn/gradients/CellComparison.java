package dev.charrnn.gradients;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "RNN vs LSTM vs GRU on the same corpus, spec and seed")
public record CellComparison(
        @Schema(example = "3c0e1f2a") String id,
        List<Run> runs) {

    @Schema(description = "One cell's run")
    public record Run(
            @Schema(example = "LSTM") String cell,
            @Schema(example = "cmp-lstm") String model,
            @Schema(description = "Training job id") String jobId,
            @Schema(example = "SUCCEEDED") String state,
            @Schema(description = "Latest validation bits per character") Double valBpc,
            @Schema(description = "Latest gradient flow: ||dL_T/dx_t|| for t = 1..T") List<Double> flow,
            @Schema(description = "||dL_T/dx_1|| / ||dL_T/dx_T|| of that flow") Double flowRatio,
            @Schema(description = "Gradient alerts raised") int alerts) {
    }
}
