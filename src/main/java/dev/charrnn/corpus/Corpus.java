package dev.charrnn.corpus;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

/** A stored training text. Identified by its content: the same bytes always get the same id. */
@Schema(description = "A stored UTF-8 training corpus")
public record Corpus(
        @Schema(description = "Content-derived id (first 16 hex digits of the SHA-256)", example = "3f2a9c0d41b7e855")
        String id,
        @Schema(description = "Name given at upload (file name or ?name=)", example = "shakespeare.txt")
        String name,
        @Schema(description = "Length in Unicode code points", example = "1115394")
        long chars,
        @Schema(description = "Distinct code points in the text", example = "65")
        int vocabularySize,
        @Schema(description = "SHA-256 of the stored UTF-8 bytes", example = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed")
        String sha256,
        @Schema(description = "When it was first uploaded")
        Instant createdAt) {
}
