package dev.charrnn.generation;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "How well the model knows a text")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScoreResponse(
        @Schema(example = "demo") String model,
        @Schema(description = "Characters scored (all but the first)", example = "42") int scoredChars,
        @Schema(description = "Mean surprisal, bits per character", example = "2.1") double bitsPerChar,
        @Schema(description = "Perplexity per character, 2^bitsPerChar", example = "4.3") double perplexity,
        @Schema(description = "Each scored character and its surprisal in bits, when perCharacter was true")
        List<CharacterSurprisal> surprisal) {

    public record CharacterSurprisal(@Schema(example = "e") String character, @Schema(example = "1.3") double bits) {
    }
}
