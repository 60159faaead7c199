package dev.charrnn.train;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Everything recorded about the gradient at one iteration, and what the cells looked like then. */
@Schema(description = "Gradient statistics at one iteration")
public record GradientStats(
        @Schema(example = "120") long iteration,
        @Schema(description = "Global L2 norm of the per-character gradient before clipping", example = "1.7")
        double globalNorm,
        @Schema(description = "Global L2 norm after clipping", example = "1.7") double globalNormClipped,
        @Schema(description = "Whether clipping changed the gradient") boolean clipped,
        @Schema(description = "globalNormClipped / globalNorm", example = "1.0") double clipScale,
        List<ParamStats> params,
        @Schema(description = "lambda1 of every gate block of every recurrent matrix, with Pascanu's reading")
        List<SpectralStats> spectrum,
        @Schema(description = "Gate saturation per layer and gate on a validation window")
        List<SaturationStats> saturation) {

    public GradientStats {
        params = params == null ? List.of() : params;
        spectrum = spectrum == null ? List.of() : spectrum;
        saturation = saturation == null ? List.of() : saturation;
    }

    /** The gradient figures alone (the cells' are added after the step). */
    public GradientStats(long iteration, double globalNorm, double globalNormClipped, boolean clipped,
                         double clipScale, List<ParamStats> params) {
        this(iteration, globalNorm, globalNormClipped, clipped, clipScale, params, List.of(), List.of());
    }

    public GradientStats withCells(List<SpectralStats> newSpectrum, List<SaturationStats> newSaturation) {
        return new GradientStats(iteration, globalNorm, globalNormClipped, clipped, clipScale, params, newSpectrum,
                newSaturation);
    }

    /** Only the figures of one layer. */
    public GradientStats ofLayer(int layer) {
        return new GradientStats(iteration, globalNorm, globalNormClipped, clipped, clipScale,
                params.stream().filter(p -> p.layer() == layer).toList(),
                spectrum.stream().filter(s -> s.layer() == layer).toList(),
                saturation.stream().filter(s -> s.layer() == layer).toList());
    }
}
