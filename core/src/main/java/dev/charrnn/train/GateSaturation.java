package dev.charrnn.train;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.nn.CellActivations;
import dev.charrnn.nn.FusedRecurrentLayer;
import dev.charrnn.text.OneHot;

/**
 * Gate saturation on a validation window: one inference pass of a private session with every
 * recurrent layer recording its gates, then per gate the fractions near each end of its range.
 */
public final class GateSaturation {

    /** A sigmoid below this is left-saturated, above 1 minus it right-saturated. */
    public static final double SIGMOID_EDGE = 0.1;
    /** A tanh beyond plus or minus this is saturated: tanh' = 1 - a^2 < 0.1. */
    public static final double TANH_EDGE = 0.95;

    private GateSaturation() {
    }

    /**
     * {@code session} must be a network of its own (its recurrent state is cleared). Runs the
     * windows of {@code length} characters at {@code starts} of {@code symbols} as one batch.
     */
    public static List<SaturationStats> measure(MultiLayerNetwork session, int[] symbols, int[] starts, int length,
                                                int vocabularySize) {
        List<FusedRecurrentLayer<?>> recurrent = recording(session, true);
        try {
            session.rnnClearPreviousState();
            session.output(OneHot.windows(symbols, starts, length, vocabularySize), false);
            List<SaturationStats> result = new ArrayList<>();
            for (FusedRecurrentLayer<?> layer : recurrent) {
                for (CellActivations.Gate gate : layer.recordedActivations().gates()) {
                    result.add(of(layer.getIndex(), gate));
                }
            }
            return result;
        } finally {
            recording(session, false);
            session.rnnClearPreviousState();
        }
    }

    /** The fractions of one gate's activations. */
    static SaturationStats of(int layer, CellActivations.Gate gate) {
        double[] values = values(gate.values());
        double low = gate.sigmoid() ? SIGMOID_EDGE : -TANH_EDGE;
        double high = gate.sigmoid() ? 1 - SIGMOID_EDGE : TANH_EDGE;
        long left = 0;
        long right = 0;
        double sum = 0;
        for (double a : values) {
            if (a < low) {
                left++;
            } else if (a > high) {
                right++;
            }
            sum += a;
        }
        double count = Math.max(1, values.length);
        return new SaturationStats(layer, gate.name(), gate.sigmoid() ? "sigmoid" : "tanh", left / count,
                right / count, (left + right) / count, sum / count);
    }

    /** Turns recording on or off on every recurrent layer; returns them. */
    static List<FusedRecurrentLayer<?>> recording(MultiLayerNetwork session, boolean on) {
        List<FusedRecurrentLayer<?>> recurrent = new ArrayList<>();
        for (Layer layer : session.getLayers()) {
            if (layer instanceof FusedRecurrentLayer<?> fused) {
                fused.recordActivations(on);
                recurrent.add(fused);
            }
        }
        return recurrent;
    }

    static double[] values(INDArray array) {
        return array.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
