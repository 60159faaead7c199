package dev.charrnn.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import dev.charrnn.nn.CellActivations;
import dev.charrnn.nn.FusedRecurrentLayer;
import dev.charrnn.text.OneHot;

/**
 * Gradient flow through time: the norm of dL_T/dx_t for every step t of a window, where L_T is
 * the loss at the last step only (labels mask 1 at T). How much of the last prediction's error
 * reaches inputs t steps back is what vanishes in a vanilla RNN (Bengio et al. 1994).
 */
public final class GradientFlowProbe {

    /** Below this fraction of the last step's gradient, the gradient counts as vanished. */
    public static final double VANISHED = 1e-3;

    private GradientFlowProbe() {
    }

    /**
     * {@code norms}: ||dL_T/dx_t||; {@code hiddenNorms}: per recurrent layer, ||dL_T/dh_t|| of its
     * output (recurrence included); {@code contraction}: per recurrent layer, the factor per step.
     */
    public record Flow(double[] norms, double firstToLastRatio, Integer vanishesAfter, List<double[]> hiddenNorms,
                       List<Contraction> contraction) {
    }

    /** {@code symbols} holds T inputs and the label of the last one: T + 1 characters. */
    public static Flow measure(MultiLayerNetwork session, int[] symbols, int vocabularySize) {
        return measure(session, symbols, vocabularySize, new RecurrentSpectrum());
    }

    /** As {@link #measure(MultiLayerNetwork, int[], int)}, lambda1 by a run's own spectrum (warm). */
    public static Flow measure(MultiLayerNetwork session, int[] symbols, int vocabularySize,
                               RecurrentSpectrum spectrum) {
        int steps = symbols.length - 1;
        INDArray features = OneHot.windows(symbols, new int[] {0}, steps, vocabularySize);
        INDArray labels = OneHot.windows(symbols, new int[] {1}, steps, vocabularySize);
        INDArray lastStepOnly = Nd4j.zeros(features.dataType(), 1, steps);
        lastStepOnly.putScalar(0, steps - 1, 1.0);
        session.rnnClearPreviousState();
        List<FusedRecurrentLayer<?>> recurrent = new ArrayList<>();
        for (Layer layer : session.getLayers()) {
            if (layer instanceof FusedRecurrentLayer<?> fused) {
                fused.recordHiddenGradients(true);
                fused.recordActivations(true);
                recurrent.add(fused);
            }
        }
        INDArray inputGradient = session.calculateGradients(features, labels, null, lastStepOnly).getSecond();
        Map<Integer, Double> lambda1 = RecurrentSpectrum.largestByLayer(spectrum.measure(session));
        List<double[]> hiddenNorms = new ArrayList<>();
        List<Contraction> contraction = new ArrayList<>();
        for (var layer : recurrent) {
            double[] hidden = layer.hiddenGradientNorms();
            hiddenNorms.add(hidden);
            contraction.add(Contraction.of(layer.getIndex(), hidden, lambda1.get(layer.getIndex()),
                    meanForget(layer.recordedActivations())));
            layer.recordHiddenGradients(false);
            layer.recordActivations(false);
        }
        double[] norms = new double[steps];
        for (int t = 0; t < steps; t++) {
            norms[t] = inputGradient.get(NDArrayIndex.point(0),
                    NDArrayIndex.all(), NDArrayIndex.point(t))
                    .norm2Number().doubleValue();
        }
        double last = norms[steps - 1];
        Integer vanishesAfter = null;
        for (int distance = 1; distance < steps; distance++) {
            if (norms[steps - 1 - distance] < VANISHED * last) {
                vanishesAfter = distance;
                break;
            }
        }
        return new Flow(norms, last > 0 ? norms[0] / last : Double.NaN, vanishesAfter, hiddenNorms, contraction);
    }

    /** The mean of an LSTM's forget gate over the pass, or null for the other cells. */
    private static Double meanForget(CellActivations pass) {
        if (pass == null) {
            return null;
        }
        for (CellActivations.Gate gate : pass.gates()) {
            if (pass.cell() != null && gate.name().equals("f")) {
                return gate.values().meanNumber().doubleValue();
            }
        }
        return null;
    }
}
