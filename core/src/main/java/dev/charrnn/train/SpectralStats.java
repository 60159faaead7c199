package dev.charrnn.train;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The largest singular value of one gate block of a layer's recurrent matrix, with Pascanu,
 * Mikolov and Bengio's (2013) reading: lambda1 < 1/gamma, gamma bounding the derivative of the
 * block's nonlinearity, is sufficient for the gradient through it to vanish, and lambda1 > 1/gamma
 * is necessary for it to explode.
 */
@Schema(description = "Largest singular value of one gate block of a recurrent matrix, and Pascanu's reading of it")
public record SpectralStats(
        @Schema(description = "Layer index", example = "0") int layer,
        @Schema(description = "Recurrent block: RW for a vanilla RNN, RW:<gate> for LSTM (i f g o) and GRU (r u c)",
                example = "RW:g") String param,
        @Schema(description = "Largest singular value lambda1 of the block, by power iteration", example = "1.37")
        double lambda1,
        @Schema(description = "Bound on the derivative of the block's nonlinearity: 1 for tanh, 0.25 for a sigmoid",
                example = "1.0") double gamma,
        @Schema(description = "VANISHING when lambda1 < 1/gamma (the gradient through this block must vanish), "
                + "CAN_EXPLODE otherwise (exploding becomes possible, not certain)", example = "CAN_EXPLODE")
        String regime,
        @Schema(description = "The same in plain words",
                example = "lambda1 1.37 >= 1/gamma = 1: the gradient through RW:g may grow; exploding is possible")
        String reading) {

    public static final String VANISHING = "VANISHING";
    public static final String CAN_EXPLODE = "CAN_EXPLODE";

    static SpectralStats of(int layer, String param, double lambda1, double gamma) {
        double bound = 1 / gamma;
        boolean vanishes = lambda1 < bound;
        String reading = String.format(java.util.Locale.ROOT, vanishes
                ? "lambda1 %.3g < 1/gamma = %.3g: the gradient through %s must vanish"
                : "lambda1 %.3g >= 1/gamma = %.3g: the gradient through %s may grow; exploding is possible",
                lambda1, bound, param);
        return new SpectralStats(layer, param, lambda1, gamma, vanishes ? VANISHING : CAN_EXPLODE, reading);
    }
}
