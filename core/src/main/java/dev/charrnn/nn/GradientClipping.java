package dev.charrnn.nn;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Positive;

/**
 * Gradient clipping, applied to the gradient of the mean loss per character (the scale PyTorch's
 * clip_grad_norm_ sees), so a threshold means the same for every mode, batch size and seqLength.
 */
@Schema(description = "Gradient clipping. Default GLOBAL_L2 at 5.0")
public record GradientClipping(
        @Schema(description = "NONE; ELEMENTWISE (clamp each component to +-threshold); L2_PER_LAYER (rescale a "
                + "layer whose gradient norm exceeds threshold); L2_PER_PARAM_TYPE (the same per W, RW, b); "
                + "RENORMALIZE_L2 (divide each layer's gradient by its norm); GLOBAL_L2 (rescale the whole "
                + "gradient when its norm exceeds threshold: Pascanu, Mikolov and Bengio 2013)", example = "GLOBAL_L2")
        Mode mode,
        @Schema(description = "Threshold; ignored by NONE and RENORMALIZE_L2. Default 5.0", example = "5.0")
        @Positive Double threshold) {

    public enum Mode { NONE, ELEMENTWISE, L2_PER_LAYER, L2_PER_PARAM_TYPE, RENORMALIZE_L2, GLOBAL_L2 }

    public GradientClipping {
        mode = mode != null ? mode : Mode.GLOBAL_L2;
        threshold = threshold != null ? threshold : 5.0;
    }

    public static GradientClipping defaults() {
        return new GradientClipping(null, null);
    }
}
