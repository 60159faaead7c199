package dev.charrnn.generation;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

@Schema(description = "What to generate. Every field is optional")
public record GenerateRequest(
        @Schema(description = "Text to continue. Empty: start from the corpus character frequencies", example = "The ")
        String prime,
        @Schema(description = "What to do with prime characters the model never saw: error (400 naming them) or "
                + "skip (drop them). Default error", example = "error", allowableValues = {"error", "skip"})
        @Pattern(regexp = "error|skip", message = "must be error or skip") String unknownChars,
        @Schema(description = "Most characters to generate after the prime. Default 200", example = "200")
        @Positive Integer length,
        @Schema(description = "Sampling temperature: below 1 is more conservative, above 1 more surprising, "
                + "0 is greedy argmax. Default 1.0", example = "0.8")
        @DecimalMin("0.0") @DecimalMax("100.0") Double temperature,
        @Schema(description = "Draw only among the k most likely characters. Default: all", example = "40")
        @Positive Integer topK,
        @Schema(description = "Nucleus sampling: draw among the most likely characters holding this probability "
                + "mass, 0 < p <= 1. Default 1", example = "0.95")
        @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") Double topP,
        @Schema(description = "Random seed: the same seed, request and model give the same text. Default: a random "
                + "seed, returned in the response", example = "7")
        Long seed,
        @Schema(description = "Up to 4 strings; a sample ends when it produces one (not included in the text)",
                example = "[\"\\n\\n\"]")
        @Size(max = 4) List<@NotEmpty @Size(max = 64) String> stop,
        @Schema(description = "Samples to generate for this prime, computed as one batch. Default 1", example = "1")
        @Positive Integer n,
        @Schema(description = "Also return each generated character's natural-log probability under the model "
                + "(before temperature, topK, topP). Default false", example = "false")
        Boolean returnLogprobs) {

    public GenerateRequest {
        prime = prime != null ? prime : "";
        unknownChars = unknownChars != null ? unknownChars : "error";
        length = length != null ? length : 200;
        temperature = temperature != null ? temperature : 1.0;
        stop = stop != null ? stop : List.of();
        n = n != null ? n : 1;
        returnLogprobs = returnLogprobs != null && returnLogprobs;
    }

    public static GenerateRequest defaults() {
        return new GenerateRequest(null, null, null, null, null, null, null, null, null, null);
    }
}
