package dev.charrnn.train;

import io.swagger.v3.oas.annotations.media.Schema;

/** Gradient statistics of one parameter (or one gate block of it) at one iteration, per character. */
@Schema(description = "Gradient statistics of one parameter block")
public record ParamStats(
        @Schema(description = "Layer index (the output layer is last)", example = "0") int layer,
        @Schema(description = "W (input weights), RW (recurrent weights) or b, with the gate after a colon "
                + "(LSTM i f g o, GRU r u c)", example = "RW:f") String param,
        @Schema(description = "L2 norm of the raw gradient, before clipping") double norm,
        @Schema(description = "L2 norm after clipping") double normClipped,
        @Schema(description = "Mean |g|") double meanAbs,
        @Schema(description = "Max |g|") double maxAbs,
        @Schema(description = "NaN or infinite components") long nonFinite,
        @Schema(description = "log10(mean |update| / mean |param|); around -3 is healthy", example = "-3.1")
        Double updateRatioLog10) {
}
