package dev.charrnn.train;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Everything recorded about the gradient at one iteration. */
@Schema(description = "Gradient statistics at one iteration")
public record GradientStats(
        @Schema(example = "120") long iteration,
        @Schema(description = "Global L2 norm of the per-character gradient before clipping", example = "1.7")
        double globalNorm,
        @Schema(description = "Global L2 norm after clipping", example = "1.7") double globalNormClipped,
        @Schema(description = "Whether clipping changed the gradient") boolean clipped,
        @Schema(description = "globalNormClipped / globalNorm", example = "1.0") double clipScale,
        List<ParamStats> params) {
}
