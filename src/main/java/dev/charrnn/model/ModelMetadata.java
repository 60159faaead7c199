package dev.charrnn.model;

import java.time.Instant;
import java.util.List;

import dev.charrnn.nn.ModelSpec;
import dev.charrnn.train.TrainingMetrics;
import io.swagger.v3.oas.annotations.media.Schema;

/** Everything about a stored model but its weights; saved as {@code model.json} beside {@code model.zip}. */
@Schema(description = "A trained model: spec, vocabulary, provenance and metrics")
public record ModelMetadata(
        @Schema(description = "Model name", example = "demo") String name,
        ModelSpec spec,
        @Schema(description = "Vocabulary as sorted Unicode code points; index i is output i")
        List<Integer> vocabulary,
        @Schema(description = "How often each vocabulary entry occurs in the training split (starts samples with no prime)")
        List<Long> charCounts,
        @Schema(description = "Corpus the model was trained on; null for a Spark job on schedule.spark.corpusUri",
                example = "3f2a9c0d41b7e855") String corpusId,
        @Schema(description = "Number of trainable parameters", example = "33600") long parameters,
        @Schema(description = "Final training metrics") TrainingMetrics metrics,
        @Schema(description = "Metrics recorded at each evaluation") List<TrainingMetrics> history,
        @Schema(description = "ND4J backend that trained it", example = "CPU") String backend,
        @Schema(description = "When it was saved") Instant createdAt) {
}
