package dev.charrnn.training;

import dev.charrnn.corpus.ExampleCorpus;
import dev.charrnn.model.ModelSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

/** Train a new model on a stored corpus. */
@Schema(description = "What to train: corpus, name of the resulting model, network spec and schedule")
public record TrainingRequest(
        @Schema(description = "Id of a stored corpus (POST /api/corpora returns it). The example is the id of "
                + "the example corpus of POST /api/corpora", example = ExampleCorpus.ID, requiredMode = Schema.RequiredMode.REQUIRED)
        @NotBlank String corpusId,
        @Schema(description = "Name of the model to create: 1-64 of A-Z a-z 0-9 . _ -", example = "demo",
                requiredMode = Schema.RequiredMode.REQUIRED)
        @NotBlank String modelName,
        @Valid ModelSpec spec,
        @Valid TrainingSchedule schedule) {

    public TrainingRequest {
        spec = spec != null ? spec : ModelSpec.defaults();
        schedule = schedule != null ? schedule : TrainingSchedule.defaults();
    }
}
