package dev.charrnn.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns gradient statistics, losses and flow measurements into {@link Alert}s. Each detector
 * needs some history before it judges, and the same finding is repeated at most once per
 * {@link #QUIET} iterations, so a healthy run stays silent and a sick one does not flood.
 */
public final class GradientDetectors {

    static final int QUIET = 200;
    private static final int WINDOW = 20;
    private static final double SPIKE = 10;
    private static final double STALLED_LOG10 = -5;
    private static final double LARGE_LOG10 = -1;
    private static final double VANISHED_RATIO = 1e-6;

    private final Deque<Double> norms = new ArrayDeque<>();
    private final Deque<Double> losses = new ArrayDeque<>();
    private final Map<String, Long> lastRaised = new HashMap<>();

    /** Findings in one gradient recording. */
    public synchronized List<Alert> onGradients(GradientStats stats) {
        List<Alert> alerts = new ArrayList<>();
        long nonFinite = stats.params().stream().mapToLong(ParamStats::nonFinite).sum();
        if (nonFinite > 0 || !Double.isFinite(stats.globalNorm())) {
            raise(alerts, stats.iteration(), Alert.Kind.NON_FINITE, null, null, nonFinite + " NaN or infinite gradient "
                    + "components", "lower the learning rate and keep GLOBAL_L2 clipping on; the run is likely lost");
        }
        double median = median(norms);
        if (norms.size() >= 10 && stats.globalNorm() > SPIKE * median) {
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
        return alerts;
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
