package dev.charrnn.model;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;

/**
 * The network and how it is optimised. Every field is optional; a missing field takes the
 * default shown in its description. Upper bounds come from {@code charrnn.limits.*}.
 */
@Schema(description = "Network architecture and optimiser settings")
public record ModelSpec(
        @Schema(description = "Recurrent cell: RNN (vanilla tanh), LSTM or GRU. Default LSTM", example = "LSTM")
        CellType cell,
        @Schema(description = "Stacked recurrent layers. Default 2", example = "1")
        @Positive Integer layers,
        @Schema(description = "Units per recurrent layer. Default 128", example = "64")
        @Positive Integer hiddenSize,
        @Schema(description = "Dropout probability between layers, 0 <= p < 1. Default 0", example = "0.0")
        @DecimalMin("0.0") @DecimalMax(value = "1.0", inclusive = false) Double dropout,
        @Schema(description = "Truncated BPTT length in characters. Default 100", example = "16")
        @Positive Integer seqLength,
        @Schema(description = "Parallel streams per minibatch. Default 32", example = "8")
        @Positive Integer batchSize,
        @Schema(description = "Adam learning rate. Default 0.002", example = "0.005")
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("10.0") Double learningRate,
        @Schema(description = "Seed for weights and dropout: same seed, spec and corpus give the same run. Default 42",
                example = "42")
        Long seed) {

    public static final CellType DEFAULT_CELL = CellType.LSTM;

    public ModelSpec {
        cell = cell != null ? cell : DEFAULT_CELL;
        layers = layers != null ? layers : 2;
        hiddenSize = hiddenSize != null ? hiddenSize : 128;
        dropout = dropout != null ? dropout : 0.0;
        seqLength = seqLength != null ? seqLength : 100;
        batchSize = batchSize != null ? batchSize : 32;
        learningRate = learningRate != null ? learningRate : 0.002;
        seed = seed != null ? seed : 42L;
    }

    public static ModelSpec defaults() {
        return new ModelSpec(null, null, null, null, null, null, null, null);
    }
}
