package dev.charrnn.training;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A network whose truncated-BPTT fit keeps the recurrent state between calls. Stock DL4J clears
 * the state at the start and end of every {@code fit}; char-rnn carries it from one window of a
 * stream to the next, which is what {@link dev.charrnn.corpus.CharSequenceIterator} feeds.
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

    @Override
    public void rnnClearPreviousState() {
        if (!carryingState) {
            super.rnnClearPreviousState();
        }
    }
}
