package dev.charrnn.generation;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "Generated text and how it was made")
public record GenerateResponse(
        @Schema(description = "Model that generated it", example = "demo") String model,
        List<Sample> samples,
        @Schema(description = "Seed used; send it back to get the same text", example = "7") long seed,
        @Schema(description = "Wall time of the generation in milliseconds", example = "35") double elapsedMs,
        @Schema(description = "Generated characters per second, all samples together", example = "5700")
        double charsPerSecond) {

    @Schema(description = "One continuation of the prime")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Sample(
            @Schema(description = "The generated characters (the prime and any stop sequence excluded)",
                    example = "quick brown fox") String text,
            @Schema(description = "Why it ended: length, stop or cancelled", example = "length") String finishReason,
            @Schema(description = "ln p of each generated character, when returnLogprobs was true")
            List<Double> logprobs) {
    }
}
