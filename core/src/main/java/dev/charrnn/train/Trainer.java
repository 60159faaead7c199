package dev.charrnn.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.nn.Compute;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.text.CharSequenceIterator;
import dev.charrnn.text.EncodedText;

/**
 * The training loop: minibatches of carried-state windows, one optimiser step each, validation
 * every {@code evalEvery} steps and at the end, the best weights by validation loss kept, and
 * char-rnn's divergence rule. No HTTP, no threads, no storage: callers decide where it runs and
 * what a checkpoint is.
 */
public final class Trainer {

    /** Sees every step, receives checkpoints, and may stop the run between steps. */
    public interface Monitor {
        void onIteration(TrainingMetrics metrics);

        default void onCheckpoint(MultiLayerNetwork network, TrainingPosition position) {
        }

        default boolean stopRequested() {
            return false;
        }

        /** Between two steps, given the last step's duration: the caller may pause here (for interactive work). */
        default void betweenSteps(long lastStepNanos) {
        }

        /** Whether a requested stop writes a checkpoint of the last finished step first (the service's jobs do). */
        default boolean checkpointOnStop() {
            return false;
        }

        /** The validation figure of the weights a resume starts from, which compete for the best. */
        default void onStartingPoint(TrainingMetrics start) {
        }

        /**
         * Gradient statistics, every spec.statsEvery iterations, with lambda1 of the recurrent
         * blocks and the gates' saturation on a validation window after that step.
         */
        default void onGradients(GradientStats stats) {
        }

        /** Gradient flow through time on a validation window, every spec.flowEvery iterations. */
        default void onFlow(long iteration, GradientFlowProbe.Flow flow) {
        }
    }

    /** Validation windows the gate-saturation probe reads. */
    private static final int SATURATION_WINDOWS = 4;

    public enum StopReason { MAX_ITERATIONS, EPOCHS, MAX_DURATION, EARLY_STOPPING, CANCELLED }

    /**
     * {@code network} holds the best weights by validation loss (with their optimizer state) and
     * {@code metrics} describes them; {@code last} is where training stopped.
     */
    public record Result(MultiLayerNetwork network, TrainingMetrics metrics, TrainingMetrics last,
                         List<TrainingMetrics> history, StopReason stopReason) {

        public boolean stopped() {
            return stopReason == StopReason.CANCELLED;
        }
    }

    /** The loss went NaN, infinite, or above 3x its first value: the run is lost, stop it. */
    public static final class DivergedException extends RuntimeException {
        DivergedException(long iteration, double loss, double initial) {
            super("training diverged at iteration " + iteration + ": loss " + loss + " nats/char (it started at "
                    + initial + "); lower the learning rate or use gradient clipping (GLOBAL_L2 5.0)");
        }
    }

    private Trainer() {
    }

    /** Trains a new network for the spec, on the backend's path with the caller's thread alone. */
    public static Result train(EncodedText text, ModelSpec spec, TrainingSchedule schedule, Monitor monitor) {
        return train(text, spec, schedule, Compute.DEFAULT, monitor);
    }

    /** Trains a new network for the spec; every network of the run computes as {@code compute} says. */
    public static Result train(EncodedText text, ModelSpec spec, TrainingSchedule schedule, Compute compute,
                               Monitor monitor) {
        CarriedStateNetwork network = new CarriedStateNetwork(NetworkFactory.configuration(spec, text.vocabulary().size()));
        network.init();
        return new Run(network, text, spec, schedule, compute, monitor).execute();
    }

    /** Continues training a network (weights, optimizer state and iteration count carry on). */
    public static Result resume(MultiLayerNetwork trained, EncodedText text, ModelSpec spec, TrainingSchedule schedule,
                                Monitor monitor) {
        return resume(trained, null, text, spec, schedule, Compute.DEFAULT, monitor);
    }

    /**
     * Continues an interrupted run from its checkpoint: same weights, optimizer state, iteration
     * count, data position and evaluation history; the schedule's bounds count from the job's start.
     */
    public static Result resume(MultiLayerNetwork trained, TrainingPosition position, EncodedText text, ModelSpec spec,
                                TrainingSchedule schedule, Compute compute, Monitor monitor) {
        CarriedStateNetwork network = new CarriedStateNetwork(trained.getLayerWiseConfigurations().clone());
        network.init(trained.params(), true);
        if (trained.getUpdater(false) != null && trained.getUpdater().getStateViewArray() != null) {
            network.getUpdater().getStateViewArray().assign(trained.getUpdater().getStateViewArray());
        }
        Run run = new Run(network, text, spec, schedule, compute, monitor);
        if (position != null) {
            run.continueFrom(position);
        }
        run.startingPointIsACandidate();
        return run.execute();
    }

    /** One run's mutable state. */
    private static final class Run {
        private final CarriedStateNetwork network;
        private final MultiLayerNetwork evaluation;
        private final EncodedText text;
        private final ModelSpec spec;
        private final TrainingSchedule schedule;
        private final Compute compute;
        private final Monitor monitor;
        private final GradientClipper clipper;
        private final CharSequenceIterator batches;
        private final RecurrentSpectrum spectrum = new RecurrentSpectrum();
        /** The recorder's statistics of the step being taken, completed with the cells' after it. */
        private GradientStats recorded;
        private final List<TrainingMetrics> history = new ArrayList<>();
        private long firstIteration;
        private final long startNanos = System.nanoTime();
        private TrainingMetrics latest;
        private TrainingMetrics best;
        private INDArray bestParams;
        private INDArray bestUpdaterState;
        private int evaluationsWithoutImprovement;
        private double initialLoss = Double.NaN;
        private long epoch;
        private long trainingNanos;
        private long lastStepNanos;
        private long stepsThisRun;

        Run(CarriedStateNetwork network, EncodedText text, ModelSpec spec, TrainingSchedule schedule, Compute compute,
            Monitor monitor) {
            this.network = compute.applyTo(network);
            this.compute = compute;
            this.text = text;
            this.spec = spec;
            this.schedule = schedule;
            this.monitor = monitor;
            GradientRecorder recorder = new GradientRecorder(spec.statsEvery(), stats -> recorded = stats);
            this.clipper = new GradientClipper(spec.gradientClipping(), recorder);
            network.setListeners(clipper, recorder);
            this.evaluation = new MultiLayerNetwork(network.getLayerWiseConfigurations().clone());
            evaluation.init(network.params(), false);
            compute.applyTo(evaluation);
            this.batches = new CharSequenceIterator(text.symbols(), 0, text.trainLength(), text.vocabulary().size(),
                    spec.batchSize(), spec.seqLength());
            this.firstIteration = network.getIterationCount();
            this.latest = TrainingMetrics.start(firstIteration);
        }

        void continueFrom(TrainingPosition position) {
            firstIteration = position.jobStartIteration();
            epoch = position.epoch();
            batches.seek(position.window());
            history.addAll(position.history());
            latest = history.isEmpty() ? TrainingMetrics.start(position.iteration())
                    : withIteration(history.get(history.size() - 1), position.iteration());
        }

        /**
         * The weights a resume starts from compete for the best: a continuation that never beats
         * them leaves them in place instead of saving something worse. Not an entry of the history.
         */
        void startingPointIsACandidate() {
            double valBpc = Evaluator.bitsPerChar(evaluation, text, spec.batchSize(), spec.seqLength());
            keepAsBest(new TrainingMetrics(latest.iteration(), epoch, latest.trainLoss(), valBpc, Math.pow(2, valBpc),
                    latest.charsPerSecond(), latest.gradNorm(), latest.progress()));
            monitor.onStartingPoint(best);
        }

        private void keepAsBest(TrainingMetrics metrics) {
            best = metrics;
            bestParams = network.params().dup();
            bestUpdaterState = network.getUpdater().getStateViewArray() == null ? null
                    : network.getUpdater().getStateViewArray().dup();
        }

        private static TrainingMetrics withIteration(TrainingMetrics m, long iteration) {
            return new TrainingMetrics(iteration, m.epoch(), m.trainLoss(), m.valBpc(), m.valPerplexity(),
                    m.charsPerSecond(), m.gradNorm(), m.progress());
        }

        Result execute() {
            StopReason reason = null;
            while (reason == null) {
                if (monitor.stopRequested()) {
                    reason = StopReason.CANCELLED;
                    if (monitor.checkpointOnStop()) {
                        checkpoint();
                    }
                    break;
                }
                monitor.betweenSteps(lastStepNanos);
                step();
                reason = bound();
                boolean evaluate = (latest.iteration() - firstIteration) % schedule.evalEvery() == 0 || reason != null;
                if (evaluate && evaluate() && reason == null) {
                    reason = StopReason.EARLY_STOPPING;
                }
                monitor.onIteration(latest);
                if (spec.flowEvery() > 0 && (latest.iteration() - firstIteration) % spec.flowEvery() == 0) {
                    measureFlow();
                }
                if ((latest.iteration() - firstIteration) % schedule.checkpointEvery() == 0 && reason == null) {
                    checkpoint();
                }
            }
            restoreBest();
            return new Result(network, best != null ? best : latest, latest, List.copyOf(history), reason);
        }

        private void checkpoint() {
            monitor.onCheckpoint(network, new TrainingPosition(firstIteration, latest.iteration(), epoch,
                    batches.position(), history));
        }

        private void step() {
            if (!batches.hasNext()) {
                batches.reset();
                network.resetState();
                epoch++;
            }
            long start = System.nanoTime();
            network.fitContinuing(batches.next());
            lastStepNanos = System.nanoTime() - start;
            trainingNanos += lastStepNanos;
            double loss = network.score() / spec.seqLength(); // DL4J sums the loss over the window
            if (Double.isNaN(initialLoss)) {
                initialLoss = loss;
            }
            long iteration = latest.iteration() + 1;
            if (!Double.isFinite(loss) || loss > 3 * initialLoss) {
                throw new DivergedException(iteration, loss, initialLoss);
            }
            long steps = iteration - firstIteration;
            stepsThisRun++;
            double charsPerSecond = (double) spec.batchSize() * spec.seqLength() * stepsThisRun / (trainingNanos / 1e9);
            latest = new TrainingMetrics(iteration, epoch, loss, latest.valBpc(), latest.valPerplexity(),
                    charsPerSecond, clipper.lastNorm(), progress(steps));
            if (recorded != null) {
                GradientStats stats = recorded;
                recorded = null;
                monitor.onGradients(stats.withCells(spectrum.measure(network), saturation()));
            }
        }

        /** Gate saturation on up to four windows of seqLength characters spread over the validation split. */
        private List<SaturationStats> saturation() {
            int available = text.validationLength() - 1;
            if (available < 2) {
                return List.of();
            }
            int length = Math.min(spec.seqLength(), available);
            int rows = Math.max(1, Math.min(SATURATION_WINDOWS, available / length));
            int spacing = available / rows;
            int[] starts = new int[rows];
            for (int r = 0; r < rows; r++) {
                starts[r] = text.validationStart() + r * spacing;
            }
            return GateSaturation.measure(evaluation, text.symbols(), starts, length, text.vocabulary().size());
        }

        /** Fraction done of the bound that will be reached first. */
        private double progress(long steps) {
            double done = 0;
            if (schedule.maxIterations() != null) {
                done = Math.max(done, (double) steps / schedule.maxIterations());
            }
            if (schedule.epochs() != null) {
                double epochs = (double) steps / batches.windowsPerEpoch();
                done = Math.max(done, epochs / schedule.epochs());
            }
            if (schedule.maxDuration() != null) {
                done = Math.max(done, (System.nanoTime() - startNanos) / (double) schedule.maxDuration().toNanos());
            }
            return Math.min(1.0, done);
        }

        private StopReason bound() {
            long steps = latest.iteration() - firstIteration;
            if (schedule.maxIterations() != null && steps >= schedule.maxIterations()) {
                return StopReason.MAX_ITERATIONS;
            }
            if (schedule.epochs() != null && !batches.hasNext() && epoch + 1 >= schedule.epochs()) {
                return StopReason.EPOCHS;
            }
            if (schedule.maxDuration() != null && System.nanoTime() - startNanos >= schedule.maxDuration().toNanos()) {
                return StopReason.MAX_DURATION;
            }
            return null;
        }

        /** Gradient flow on the first seqLength + 1 characters of the validation split. */
        private void measureFlow() {
            int steps = Math.min(spec.seqLength(), text.validationLength() - 1);
            if (steps < 2) {
                return;
            }
            int[] window = Arrays.copyOfRange(text.symbols(), text.validationStart(),
                    text.validationStart() + steps + 1);
            MultiLayerNetwork probe = new MultiLayerNetwork(network.getLayerWiseConfigurations().clone());
            probe.init(network.params(), false); // a fresh session: no state or cached input of evaluations
            compute.applyTo(probe);
            monitor.onFlow(latest.iteration(), GradientFlowProbe.measure(probe, window,
                    text.vocabulary().size(), spectrum));
        }

        /** Validates, keeps the best weights; true when early stopping's patience has run out. */
        private boolean evaluate() {
            double valBpc = Evaluator.bitsPerChar(evaluation, text, spec.batchSize(), spec.seqLength());
            latest = new TrainingMetrics(latest.iteration(), latest.epoch(), latest.trainLoss(), valBpc,
                    Math.pow(2, valBpc), latest.charsPerSecond(), latest.gradNorm(), latest.progress());
            history.add(latest);
            if (best == null || valBpc < best.valBpc()) {
                keepAsBest(latest);
                evaluationsWithoutImprovement = 0;
                return false;
            }
            evaluationsWithoutImprovement++;
            return schedule.patience() != null && evaluationsWithoutImprovement >= schedule.patience();
        }

        private void restoreBest() {
            if (best == null || best == latest) {
                return;
            }
            network.params().assign(bestParams);
            if (bestUpdaterState != null) {
                network.getUpdater().getStateViewArray().assign(bestUpdaterState);
            }
        }
    }
}
