package dev.charrnn.model;

import java.time.Instant;

import dev.charrnn.nn.CellType;
import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "A model in the registry")
public record ModelSummary(
        @Schema(example = "demo") String name,
        @Schema(example = "LSTM") CellType cell,
        @Schema(example = "1") int layers,
        @Schema(example = "64") int hiddenSize,
        @Schema(description = "Trainable parameters", example = "33600") long parameters,
        @Schema(description = "Size of the weights file (with optimizer state), bytes", example = "410000") long sizeBytes,
        @Schema(example = "3f2a9c0d41b7e855") String corpusId,
        @Schema(description = "Final validation loss, bits per character", example = "2.3") Double valBpc,
        Instant createdAt) {

    static ModelSummary of(ModelMetadata m, long sizeBytes) {
        return new ModelSummary(m.name(), m.spec().cell(), m.spec().layers(), m.spec().hiddenSize(), m.parameters(),
                sizeBytes, m.corpusId(), m.metrics() == null ? null : m.metrics().valBpc(), m.createdAt());
    }
}
