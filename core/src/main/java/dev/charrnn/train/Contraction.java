package dev.charrnn.train;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The per-step factor by which one recurrent layer's gradient shrinks or grows going back in time
 * on the flow probe's window: ||dL/dh_t|| / ||dL/dh_{t+1}|| for each step and their geometric mean.
 * For a one-layer tanh RNN each factor is at most lambda1 of RW (Pascanu et al. 2013): the two are
 * comparable on one chart.
 */
@Schema(description = "Per-step contraction of one recurrent layer's gradient through time")
public record Contraction(
        @Schema(description = "Layer index", example = "0") int layer,
        @Schema(description = "||dL_T/dh_t|| / ||dL_T/dh_{t+1}|| for t = 1..T-1 (null where the later norm is 0)",
                example = "[0.62, 0.58, 0.61]") Double[] ratios,
        @Schema(description = "Geometric mean of the ratios: the factor per step back; below 1 the gradient "
                + "vanishes, above 1 it explodes", example = "0.6") Double geometricMean,
        @Schema(description = "VANISHING (geometric mean below 1) or EXPLODING (above 1)", example = "VANISHING")
        String regime,
        @Schema(description = "Largest lambda1 of the layer's recurrent blocks, for comparison", example = "0.9")
        Double lambda1,
        @Schema(description = "LSTM only: mean forget-gate activation on the window, the share of dL/dc that "
                + "passes to the step before", example = "0.81") Double meanForget) {

    public static final String VANISHING = "VANISHING";
    public static final String EXPLODING = "EXPLODING";

    /** From ||dL/dh_t||, t = 1..T. */
    static Contraction of(int layer, double[] hiddenNorms, Double lambda1, Double meanForget) {
        Double[] ratios = new Double[Math.max(0, hiddenNorms.length - 1)];
        double logSum = 0;
        int counted = 0;
        for (int t = 0; t < ratios.length; t++) {
            double later = hiddenNorms[t + 1];
            if (later > 0 && Double.isFinite(later) && Double.isFinite(hiddenNorms[t])) {
                ratios[t] = hiddenNorms[t] / later;
                if (ratios[t] > 0) {
                    logSum += Math.log(ratios[t]);
                    counted++;
                }
            }
        }
        Double mean = counted == 0 ? null : Math.exp(logSum / counted);
        return new Contraction(layer, ratios, mean, mean == null ? null : mean < 1 ? VANISHING : EXPLODING, lambda1,
                meanForget);
    }
}
