package dev.charrnn.training;

import dev.charrnn.corpus.ExampleCorpus;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.train.TrainingSchedule;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;

/**
 * Train a new model on a stored corpus, or continue training an existing one ({@code fromModel}):
 * then its spec, weights, optimizer state and iteration count carry on, the corpus defaults to the
 * one it was trained on and the result replaces it unless {@code modelName} names a new model.
 */
@Schema(description = "What to train: corpus, name of the resulting model, network spec and schedule")
public record TrainingRequest(
        @Schema(description = "Id of a stored corpus (POST /api/corpora returns it). Required unless fromModel is "
                + "given. The example is the id of the example corpus of POST /api/corpora", example = ExampleCorpus.ID)
        String corpusId,
        @Schema(description = "Name of the model to create: 1-64 of A-Z a-z 0-9 . _ -. With fromModel it defaults "
                + "to that model, which is then replaced", example = "demo")
        String modelName,
        @Valid ModelSpec spec,
        @Valid TrainingSchedule schedule,
        @Schema(description = "Continue training this model instead of starting a new one (omit spec)",
                nullable = true)
        String fromModel) {

    public TrainingRequest {
        schedule = schedule != null ? schedule : TrainingSchedule.defaults();
    }

    public static TrainingRequest of(String corpusId, String modelName, ModelSpec spec, TrainingSchedule schedule) {
        return new TrainingRequest(corpusId, modelName, spec, schedule, null);
    }

    /** The same request with every default filled in, as the job runs it. */
    TrainingRequest resolved(String corpus, String model, ModelSpec effectiveSpec) {
        return new TrainingRequest(corpus, model, effectiveSpec, schedule, fromModel);
    }
}
