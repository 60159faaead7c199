package dev.charrnn.train;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * How saturated one gate of one layer is on a validation window, as Karpathy, Johnson and Fei-Fei
 * (2015) measure it: the fraction of its activations (units x steps) pinned near either end of
 * their range, where the gate's derivative is almost zero.
 */
@Schema(description = "Saturation of one gate of one layer on a validation window")
public record SaturationStats(
        @Schema(description = "Layer index", example = "0") int layer,
        @Schema(description = "Gate: LSTM i f g o, GRU r u c, vanilla RNN h", example = "f") String gate,
        @Schema(description = "sigmoid (i f o, r u) or tanh (h, and the candidates g and c)", example = "sigmoid")
        String activation,
        @Schema(description = "Fraction left-saturated: below 0.1 for a sigmoid, below -0.95 for tanh", example = "0.04")
        double left,
        @Schema(description = "Fraction right-saturated: above 0.9 for a sigmoid, above 0.95 for tanh", example = "0.31")
        double right,
        @Schema(description = "left + right; for tanh the fraction with |a| > 0.95, where tanh' < 0.1", example = "0.35")
        double saturated,
        @Schema(description = "Mean activation; for an LSTM's f, the share of the cell state kept per step",
                example = "0.72") double mean) {
}
