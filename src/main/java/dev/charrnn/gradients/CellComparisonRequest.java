package dev.charrnn.gradients;

import dev.charrnn.corpus.ExampleCorpus;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.train.TrainingSchedule;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

@Schema(description = "Train RNN, LSTM and GRU on one corpus with one spec and seed")
public record CellComparisonRequest(
        @Schema(example = ExampleCorpus.ID, requiredMode = Schema.RequiredMode.REQUIRED) @NotBlank String corpusId,
        @Schema(description = "Spec shared by the three runs (its cell is ignored)") @Valid ModelSpec spec,
        @Valid TrainingSchedule schedule,
        @Schema(description = "Models are named <prefix>-rnn, -lstm, -gru. Default compare-<id>", example = "cmp")
        String namePrefix) {
}
