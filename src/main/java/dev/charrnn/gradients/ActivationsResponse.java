package dev.charrnn.gradients;

import java.util.List;

import dev.charrnn.sample.UnitActivations;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "The chosen units' values over a text, and the units of the layer that follow simple features "
        + "of it")
public record ActivationsResponse(
        @Schema(description = "Model", example = "demo") String model,
        @Schema(description = "Recurrent layer read", example = "0") int layer,
        @Schema(description = "Its cell: RNN, LSTM or GRU", example = "LSTM") String cell,
        @Schema(description = "Units in the layer", example = "128") int layerUnits,
        @ArraySchema(arraySchema = @Schema(description = "The units whose values follow, in this order"),
                schema = @Schema(description = "Unit index", example = "3"))
        List<Integer> units,
        @Schema(description = "One entry per character of the text, in order") List<Step> steps,
        @Schema(description = "Per feature, the layer's units ranked by |correlation| with it")
        List<UnitActivations.FeatureRanking> features) {

    @Schema(description = "One character and the chosen units' values once it has been read")
    public record Step(
            @Schema(description = "The character", example = "T") String character,
            @ArraySchema(arraySchema = @Schema(description = "Hidden value h of each chosen unit"),
                    schema = @Schema(description = "h, in [-1, 1]", example = "0.42"))
            float[] hidden,
            @ArraySchema(arraySchema = @Schema(description = "LSTM only: memory cell c of each chosen unit"),
                    schema = @Schema(description = "c", example = "1.7"))
            float[] cell) {
    }
}
