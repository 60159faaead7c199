package dev.charrnn.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns gradient statistics, losses, validation figures and flow measurements into {@link Alert}s.
 * Each detector needs some history before it judges, and the same finding is repeated at most once
 * per {@link #QUIET} iterations, so a healthy run stays silent and a sick one does not flood.
 */
public final class GradientDetectors {

    static final int QUIET = 200;
    private static final int WINDOW = 20;
    private static final double SPIKE = 10;
    private static final double STALLED_LOG10 = -5;
    private static final double LARGE_LOG10 = -1;
    private static final double VANISHED_RATIO = 1e-6;
    /** More than this fraction of a layer's tanh activations beyond +-0.95 is "most units saturated". */
    static final double SATURATED_FRACTION = 0.5;
    /** Validation rises in a row that, with a falling training loss, are overfitting. */
    static final int RISES = 3;

    private final Deque<Double> norms = new ArrayDeque<>();
    private final Deque<Double> losses = new ArrayDeque<>();
    private final Map<String, Long> lastRaised = new HashMap<>();
    private final boolean keepsBest;
    private final Double globalClipThreshold;
    /** Validations so far: iteration, bpc, and the mean training loss since the one before. */
    private final Deque<double[]> validations = new ArrayDeque<>();
    private double[] best;
    /** The best that the last OVERFITTING named: the advice is the same until a new best is reached. */
    private double[] bestWhenOverfittingRaised;
    private double lossSum;
    private long lossCount;

    /** Detectors for a run that keeps its best weights by validation loss (the local trainer does). */
    public GradientDetectors() {
        this(true);
    }

    /** {@code keepsBest}: whether the run saves its best weights rather than its last (what OVERFITTING advises). */
    public GradientDetectors(boolean keepsBest) {
        this(keepsBest, null);
    }

    /**
     * {@code globalClipThreshold}: GLOBAL_L2's threshold when the run clips the whole gradient's norm,
     * else null. A spike that stays under it is bounded already, so it is not called exploding (late
     * in a run that memorises its corpus the norm is tiny and jumps tenfold without harm).
     */
    public GradientDetectors(boolean keepsBest, Double globalClipThreshold) {
        this.keepsBest = keepsBest;
        this.globalClipThreshold = globalClipThreshold;
    }

    /** Findings in one gradient recording. */
    public synchronized List<Alert> onGradients(GradientStats stats) {
        List<Alert> alerts = new ArrayList<>();
        long nonFinite = stats.params().stream().mapToLong(ParamStats::nonFinite).sum();
        if (nonFinite > 0 || !Double.isFinite(stats.globalNorm())) {
            raise(alerts, stats.iteration(), Alert.Kind.NON_FINITE, null, null, nonFinite + " NaN or infinite gradient "
                    + "components", "lower the learning rate and keep GLOBAL_L2 clipping on; the run is likely lost");
        }
        double median = median(norms);
        boolean bounded = globalClipThreshold != null && stats.globalNorm() <= globalClipThreshold;
        if (norms.size() >= 10 && stats.globalNorm() > SPIKE * median && !bounded) {
            raise(alerts, stats.iteration(), Alert.Kind.EXPLODING, null, null, String.format("gradient norm %.3g is %.0fx its "
                    + "running median %.3g", stats.globalNorm(), stats.globalNorm() / median, median),
                    stats.clipped() ? "clipping caught it; if it recurs, lower the learning rate or the clip threshold"
                            : "turn on GLOBAL_L2 clipping (threshold 1-5) or lower the learning rate");
        }
        push(norms, stats.globalNorm());
        for (ParamStats p : stats.params()) {
            if (p.updateRatioLog10() == null || p.param().startsWith("b")) {
                continue; // biases start at zero: their ratio says nothing early on
            }
            if (p.updateRatioLog10() < STALLED_LOG10) {
                raise(alerts, stats.iteration(), Alert.Kind.STALLED_UPDATES, p.layer(), p.param(), String.format(
                        "updates are 10^%.1f of the weights", p.updateRatioLog10()), "raise the learning rate; a vanilla "
                        + "RNN whose gradient vanished learns nothing here, try LSTM or GRU");
            } else if (p.updateRatioLog10() > LARGE_LOG10) {
                raise(alerts, stats.iteration(), Alert.Kind.LARGE_UPDATES, p.layer(), p.param(), String.format(
                        "updates are 10^%.1f of the weights (healthy is about 10^-3)", p.updateRatioLog10()),
                        "lower the learning rate or clip harder");
            }
        }
        for (SaturationStats s : stats.saturation()) {
            // A vanilla RNN's units (h) carry the gradient through time, so their saturation stops it.
            // An LSTM's or GRU's candidate saturates often in a healthy run (LSTM 2x128 on 35 kB:
            // over half of layer 1's g from iteration 20) while the cell state or the update gate
            // carries the gradient past it: measured and plotted, not alerted on.
            if (s.gate().equals("h") && s.saturated() > SATURATED_FRACTION) {
                raise(alerts, stats.iteration(), Alert.Kind.SATURATED, s.layer(), s.gate(), String.format(Locale.ROOT,
                        "%.0f%% of layer %d's tanh activations (%s) are beyond +-0.95 on validation text, where "
                        + "tanh' < 0.1: those units pass almost no gradient", 100 * s.saturated(), s.layer(),
                        s.gate()), "lower the learning rate, use a smaller init (XAVIER), keep GLOBAL_L2 clipping on, "
                        + "or change the cell (LSTM or GRU)");
            }
        }
        return alerts;
    }

    /**
     * Findings in one validation figure (bits per character), given the training losses
     * {@link #onLoss} received since the one before: OVERFITTING when validation rose
     * {@link #RISES} times in a row while the mean training loss fell over the same evaluations.
     */
    public synchronized List<Alert> onValidation(long iteration, double valBpc) {
        List<Alert> alerts = new ArrayList<>();
        double meanLoss = lossCount > 0 ? lossSum / lossCount : Double.NaN;
        lossSum = 0;
        lossCount = 0;
        if (!Double.isFinite(valBpc)) {
            return alerts;
        }
        double[] now = {iteration, valBpc, meanLoss};
        validations.addLast(now);
        if (validations.size() > RISES + 1) {
            validations.removeFirst();
        }
        if (best == null || valBpc < best[1]) {
            best = now;
        }
        if (validations.size() == RISES + 1 && rising() && validations.peekFirst()[2] > meanLoss
                && best != bestWhenOverfittingRaised) {
            bestWhenOverfittingRaised = best;
            double[] first = validations.peekFirst();
            alerts.add(new Alert(Alert.Kind.OVERFITTING, iteration, null, null, String.format(Locale.ROOT,
                    "validation rose %d evaluations in a row, from %.3f to %.3f bits/char (iterations %d to %d), "
                    + "while the training loss fell from %.3g to %.3g nats/char; the best was %.3f at iteration %d",
                    RISES, first[1], valBpc, (long) first[0], iteration, first[2], meanLoss, best[1], (long) best[0]),
                    (keepsBest ? String.format(Locale.ROOT, "the saved model is the best one (iteration %d), not the "
                            + "last; ", (long) best[0]) : "this engine saves the last weights, not the best; ")
                            + "set schedule.patience to stop near the best, add dropout (0.2-0.5), train on a bigger "
                            + "corpus or use a smaller model"));
        }
        return alerts;
    }

    /** Each of the kept validations above the one before. */
    private boolean rising() {
        double previous = Double.NEGATIVE_INFINITY;
        for (double[] v : validations) {
            if (v[1] <= previous) {
                return false;
            }
            previous = v[1];
        }
        return true;
    }

    /** Findings in one training loss (nats per character). */
    public synchronized List<Alert> onLoss(long iteration, double loss) {
        List<Alert> alerts = new ArrayList<>();
        double median = median(losses);
        if (losses.size() >= 10 && loss > 1.5 * median + 0.5) {
            raise(alerts, iteration, Alert.Kind.LOSS_JUMP, null, null, String.format("training loss %.3f jumped from "
                    + "its running median %.3f", loss, median), "lower the learning rate or clip the gradient harder");
        }
        push(losses, loss);
        if (Double.isFinite(loss)) {
            lossSum += loss;
            lossCount++;
        }
        return alerts;
    }

    /** Findings in one gradient-flow measurement: vanishing when the first step keeps almost nothing. */
    public synchronized List<Alert> onFlow(long iteration, int steps, double firstToLastRatio) {
        List<Alert> alerts = new ArrayList<>();
        if (firstToLastRatio < VANISHED_RATIO) {
            raise(alerts, iteration, Alert.Kind.VANISHING, null, null, String.format("the gradient %d steps back is "
                    + "%.1e of the last step's", steps - 1, firstToLastRatio), "dependencies this long cannot be learnt "
                    + "with this cell: use LSTM or GRU, or a shorter seqLength");
        }
        return alerts;
    }

    private void raise(List<Alert> alerts, long iteration, Alert.Kind kind, Integer layer, String param, String seen,
                       String advice) {
        String key = kind + "/" + layer + "/" + param;
        Long last = lastRaised.get(key);
        if (last == null || iteration - last >= QUIET) {
            lastRaised.put(key, iteration);
            alerts.add(new Alert(kind, iteration, layer, param, seen, advice));
        }
    }

    private static void push(Deque<Double> window, double value) {
        if (Double.isFinite(value)) {
            window.addLast(value);
            if (window.size() > WINDOW) {
                window.removeFirst();
            }
        }
    }

    private static double median(Deque<Double> window) {
        if (window.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = window.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }
}
