package dev.charrnn.train;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import dev.charrnn.nn.FusedRecurrentLayer;

/**
 * A network whose truncated-BPTT fit keeps the recurrent state between calls. Stock DL4J clears
 * the state at the start and end of every {@code fit}; char-rnn carries it from one window of a
 * stream to the next, which is what {@link dev.charrnn.text.CharSequenceIterator} feeds.
 * Saved models are plain {@link MultiLayerNetwork}s: only training needs this behaviour.
 */
public class CarriedStateNetwork extends MultiLayerNetwork {

    private boolean carryingState;

    public CarriedStateNetwork(MultiLayerConfiguration configuration) {
        super(configuration);
    }

    /** One optimiser step on the window, starting from the state the previous window ended in. */
    public void fitContinuing(DataSet window) {
        carryingState = true;
        try {
            fit(window);
        } finally {
            carryingState = false;
        }
    }

    /** Forget the carried state, at the start of an epoch. */
    public void resetState() {
        super.rnnClearPreviousState();
    }

    /** The first layer computes dL/dinput only when the caller keeps it (fit does not). */
    @Override
    protected Pair<Gradient, INDArray> calcBackpropGradients(INDArray epsilon, boolean withOutputLayer, boolean tbptt,
                                                             boolean returnInputActGrad) {
        if (getLayers().length > 0 && getLayer(0) instanceof FusedRecurrentLayer<?> first) {
            first.inputGradientNeeded(returnInputActGrad);
        }
        return super.calcBackpropGradients(epsilon, withOutputLayer, tbptt, returnInputActGrad);
    }

    @Override
    public void rnnClearPreviousState() {
        if (!carryingState) {
            super.rnnClearPreviousState();
        }
    }
}
