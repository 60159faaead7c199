package dev.charrnn.generation;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;

@Schema(description = "What to generate. Every field is optional")
public record GenerateRequest(
        @Schema(description = "Text to continue; every character must be in the model's vocabulary. "
                + "Empty: start from the corpus character frequencies", example = "The ")
        String prime,
        @Schema(description = "Characters to generate after the prime. Default 200", example = "200")
        @Positive Integer length,
        @Schema(description = "Sampling temperature: below 1 is more conservative, above 1 more surprising, "
                + "0 is greedy argmax. Default 1.0", example = "0.8")
        @DecimalMin("0.0") @DecimalMax("100.0") Double temperature,
        @Schema(description = "Random seed: the same seed, request and model give the same text. "
                + "Default: a random seed, returned in the response", example = "7")
        Long seed) {

    public GenerateRequest {
        prime = prime != null ? prime : "";
        length = length != null ? length : 200;
        temperature = temperature != null ? temperature : 1.0;
    }
}
