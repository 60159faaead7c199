package dev.charrnn.generation;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "Generated text and how it was made")
public record GenerateResponse(
        @Schema(description = "Model that generated it", example = "demo") String model,
        List<Sample> samples,
        @Schema(description = "Seed used; send it back to get the same text", example = "7") long seed,
        @Schema(description = "Wall time of the generation in milliseconds", example = "35") double elapsedMs,
        @Schema(description = "Generated characters per second", example = "5700") double charsPerSecond) {

    @Schema(description = "One continuation of the prime")
    public record Sample(
            @Schema(description = "The generated characters (the prime is not repeated)",
                    example = "quick brown fox") String text,
            @Schema(description = "Why generation ended: length", example = "length") String finishReason) {
    }
}
