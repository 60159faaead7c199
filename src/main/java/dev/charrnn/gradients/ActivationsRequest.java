package dev.charrnn.gradients;

import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

@Schema(description = "A text to run through a model, the layer to look inside and the units to show")
public record ActivationsRequest(
        @Schema(description = "Text to read, every character in the model's vocabulary (at most "
                + "charrnn.limits.max-activation-length characters)",
                example = "The gates of the long short-term memory keep it steady.",
                requiredMode = Schema.RequiredMode.REQUIRED)
        @NotNull String text,
        @Schema(description = "Recurrent layer, 0 for the first. Default: the last recurrent layer", example = "0")
        @PositiveOrZero Integer layer,
        @ArraySchema(arraySchema = @Schema(description = "Units whose values to return for every character (at most "
                + "charrnn.limits.max-activation-units). Default: the strongest unit of each feature"),
                schema = @Schema(description = "Unit index in the layer", example = "3"))
        List<@NotNull @PositiveOrZero Integer> units) {
}
