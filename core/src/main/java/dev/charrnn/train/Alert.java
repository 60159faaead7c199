package dev.charrnn.train;

import io.swagger.v3.oas.annotations.media.Schema;

/** A finding about the gradients, the cells or the losses, in plain words: what was seen, where, and what to try. */
@Schema(description = "A training finding: what was seen, where, and what to try")
public record Alert(
        @Schema(description = "EXPLODING, NON_FINITE, LOSS_JUMP, VANISHING, STALLED_UPDATES, LARGE_UPDATES, "
                + "SATURATED (most of a vanilla RNN layer's units pinned at +-1) or OVERFITTING (validation bpc rising "
                + "while the training loss falls)", example = "EXPLODING") Kind kind,
        @Schema(example = "140") long iteration,
        @Schema(description = "Layer, when the finding is about one", example = "0") Integer layer,
        @Schema(description = "Parameter block or gate, when the finding is about one", example = "RW:u")
        String param,
        @Schema(description = "What was seen", example = "gradient norm 48.1 is 12x its running median 4.0")
        String seen,
        @Schema(description = "What to try", example = "keep GLOBAL_L2 clipping on, or lower the learning rate")
        String advice) {

    public enum Kind {
        EXPLODING, NON_FINITE, LOSS_JUMP, VANISHING, STALLED_UPDATES, LARGE_UPDATES, SATURATED, OVERFITTING
    }
}
