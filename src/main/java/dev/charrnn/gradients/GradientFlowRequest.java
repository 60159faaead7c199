package dev.charrnn.gradients;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Positive;

@Schema(description = "Where to measure gradient flow. Every field is optional")
public record GradientFlowRequest(
        @Schema(description = "Text to run through the model (steps + 1 characters are used from its end). "
                + "Default: the end of the validation split of the corpus the model was trained on",
                example = "The network reads one character at a time and guesses the next one.")
        String text,
        @Schema(description = "Window length T. Default 100 (or the text's length)", example = "50")
        @Positive Integer steps) {
}
