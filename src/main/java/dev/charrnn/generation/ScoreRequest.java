package dev.charrnn.generation;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

@Schema(description = "A text to score")
public record ScoreRequest(
        @Schema(description = "Text to score (at least 2 characters: the first one is context only)",
                example = "The network reads one character at a time.", requiredMode = Schema.RequiredMode.REQUIRED)
        @NotNull String text,
        @Schema(description = "Unknown characters: error (400 naming them) or skip (drop them). Default error",
                example = "error", allowableValues = {"error", "skip"})
        @Pattern(regexp = "error|skip", message = "must be error or skip") String unknownChars,
        @Schema(description = "Also return the surprisal of every character. Default false", example = "false")
        Boolean perCharacter) {

    public ScoreRequest {
        unknownChars = unknownChars != null ? unknownChars : "error";
        perCharacter = perCharacter != null && perCharacter;
    }
}
