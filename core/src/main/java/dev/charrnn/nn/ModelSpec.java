package dev.charrnn.nn;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

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
        @Schema(description = "Learning rate. Default 0.002", example = "0.005")
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("10.0") Double learningRate,
        @Schema(description = "ADAM, RMSPROP or SGD (Nesterov momentum 0.9). Default ADAM", example = "ADAM")
        Optimizer optimizer,
        @Valid LearningRateDecay learningRateDecay,
        @Schema(description = "XAVIER, XAVIER_UNIFORM, UNIFORM or LECUN_NORMAL. Default XAVIER", example = "XAVIER")
        WeightInitScheme weightInit,
        @Valid GradientClipping gradientClipping,
        @Schema(description = "Seed for weights and dropout: same seed, spec and corpus give the same run. Default 42",
                example = "42")
        Long seed,
        @Schema(description = "Record gradient statistics every N iterations. Default 10", example = "10")
        @Positive Integer statsEvery,
        @Schema(description = "Measure gradient flow through time every N iterations (0 = never). Default 100",
                example = "50")
        @PositiveOrZero Integer flowEvery) {

    public ModelSpec {
        cell = cell != null ? cell : CellType.LSTM;
        layers = layers != null ? layers : 2;
        hiddenSize = hiddenSize != null ? hiddenSize : 128;
        dropout = dropout != null ? dropout : 0.0;
        seqLength = seqLength != null ? seqLength : 100;
        batchSize = batchSize != null ? batchSize : 32;
        learningRate = learningRate != null ? learningRate : 0.002;
        optimizer = optimizer != null ? optimizer : Optimizer.ADAM;
        learningRateDecay = learningRateDecay != null ? learningRateDecay : LearningRateDecay.none();
        weightInit = weightInit != null ? weightInit : WeightInitScheme.XAVIER;
        gradientClipping = gradientClipping != null ? gradientClipping : GradientClipping.defaults();
        seed = seed != null ? seed : 42L;
        statsEvery = statsEvery != null ? statsEvery : 10;
        flowEvery = flowEvery != null ? flowEvery : 100;
    }

    public static ModelSpec defaults() {
        return of(null, null, null, null, null, null, null, null);
    }

    /** The architecture fields; everything else at its default. */
    public static ModelSpec of(CellType cell, Integer layers, Integer hiddenSize, Double dropout, Integer seqLength,
                               Integer batchSize, Double learningRate, Long seed) {
        return new ModelSpec(cell, layers, hiddenSize, dropout, seqLength, batchSize, learningRate, null, null, null,
                null, seed, null, null);
    }

    public ModelSpec withClipping(GradientClipping clipping) {
        return new ModelSpec(cell, layers, hiddenSize, dropout, seqLength, batchSize, learningRate, optimizer,
                learningRateDecay, weightInit, clipping, seed, statsEvery, flowEvery);
    }

    public ModelSpec withStatsEvery(int every) {
        return new ModelSpec(cell, layers, hiddenSize, dropout, seqLength, batchSize, learningRate, optimizer,
                learningRateDecay, weightInit, gradientClipping, seed, every, flowEvery);
    }

    public ModelSpec withOptimizer(Optimizer newOptimizer, LearningRateDecay decay) {
        return new ModelSpec(cell, layers, hiddenSize, dropout, seqLength, batchSize, learningRate, newOptimizer,
                decay, weightInit, gradientClipping, seed, statsEvery, flowEvery);
    }
}
