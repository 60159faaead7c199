package dev.charrnn.training;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import dev.charrnn.corpus.CharSequenceIterator;
import dev.charrnn.corpus.EncodedText;
import dev.charrnn.model.ModelSpec;
import dev.charrnn.model.NetworkFactory;
import dev.charrnn.model.TrainingMetrics;

/**
 * The training loop: minibatches of carried-state windows, one optimiser step each, validation
 * every {@code evalEvery} steps and at the end. No HTTP, no threads: callers decide where it runs.
 */
public final class Trainer {

    /** Sees every step and may stop the run between steps. */
    public interface Monitor {
        void onIteration(TrainingMetrics metrics);

        default boolean stopRequested() {
            return false;
        }
    }

    public record Result(MultiLayerNetwork network, TrainingMetrics metrics, List<TrainingMetrics> history,
                         boolean stopped) {
    }

    /** The loss went NaN or infinite: the weights are garbage and training must not continue. */
    public static final class DivergedException extends RuntimeException {
        DivergedException(long iteration, double loss) {
            super("training diverged at iteration " + iteration + " (loss " + loss
                    + "); lower the learning rate or keep gradient clipping on");
        }
    }

    private Trainer() {
    }

    public static Result train(EncodedText text, ModelSpec spec, TrainingSchedule schedule, Monitor monitor) {
        int vocabularySize = text.vocabulary().size();
        CarriedStateNetwork network = new CarriedStateNetwork(NetworkFactory.configuration(spec, vocabularySize));
        network.init();
        MultiLayerNetwork evaluation = new MultiLayerNetwork(network.getLayerWiseConfigurations().clone());
        evaluation.init(network.params(), false);

        CharSequenceIterator batches = new CharSequenceIterator(text.symbols(), 0, text.trainLength(),
                vocabularySize, spec.batchSize(), spec.seqLength());
        long charsPerStep = (long) spec.batchSize() * spec.seqLength();
        List<TrainingMetrics> history = new ArrayList<>();
        TrainingMetrics metrics = new TrainingMetrics(0, 0, null, null, null, null);
        long epoch = 0;
        long trainingNanos = 0;
        for (long iteration = 1; iteration <= schedule.maxIterations(); iteration++) {
            if (monitor.stopRequested()) {
                return new Result(network, metrics, history, true);
            }
            if (!batches.hasNext()) {
                batches.reset();
                network.resetState();
                epoch++;
            }
            long start = System.nanoTime();
            network.fitContinuing(batches.next());
            trainingNanos += System.nanoTime() - start;
            double loss = network.score() / spec.seqLength(); // DL4J sums the loss over the window
            if (!Double.isFinite(loss)) {
                throw new DivergedException(iteration, loss);
            }
            double charsPerSecond = charsPerStep * iteration / (trainingNanos / 1e9);
            boolean evaluate = iteration % schedule.evalEvery() == 0 || iteration == schedule.maxIterations();
            Double valBpc = evaluate ? (Double) Evaluator.bitsPerChar(evaluation, text, spec.batchSize(), spec.seqLength())
                    : metrics.valBpc();
            metrics = new TrainingMetrics(iteration, epoch, loss, valBpc,
                    valBpc == null ? null : Math.pow(2, valBpc), charsPerSecond);
            if (evaluate) {
                history.add(metrics);
            }
            monitor.onIteration(metrics);
        }
        return new Result(network, metrics, history, false);
    }
}
