package dev.charrnn.train;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import dev.charrnn.nn.GradientClipping;

/**
 * Puts the gradient on the scale of the mean loss per character and clips it, between backprop
 * and the optimiser. DL4J's raw gradient is summed over the batch and the time steps and its
 * updater divides by the batch only, so without this a learning rate or clip threshold would mean
 * seqLength times more than in char-rnn or PyTorch. Thresholds refer to that per-character
 * gradient g; the raw array holds batch * g, which the updater then divides by the batch.
 */
public final class GradientClipper extends BaseTrainingListener {

    /** Sees the per-character gradient just before and just after clipping. */
    public interface Observer {
        void beforeClipping(MultiLayerNetwork net, long batch);

        void afterClipping(MultiLayerNetwork net, long batch, boolean clipped);
    }

    private static final Observer NONE = new Observer() {
        @Override
        public void beforeClipping(MultiLayerNetwork net, long batch) {
        }

        @Override
        public void afterClipping(MultiLayerNetwork net, long batch, boolean clipped) {
        }
    };

    private final GradientClipping clipping;
    private final Observer observer;
    private double lastNorm;
    private double lastScale = 1;
    private long clippedSteps;

    public GradientClipper(GradientClipping clipping) {
        this(clipping, NONE);
    }

    public GradientClipper(GradientClipping clipping, Observer observer) {
        this.clipping = clipping;
        this.observer = observer;
    }

    /** Global L2 norm of the per-character gradient of the last step, before clipping. */
    public double lastNorm() {
        return lastNorm;
    }

    /** Factor the last step's whole gradient was scaled by (1 when it was not clipped globally). */
    public double lastScale() {
        return lastScale;
    }

    /** Steps in which clipping changed the gradient. */
    public long clippedSteps() {
        return clippedSteps;
    }

    @Override
    public void onGradientCalculation(Model model) {
        MultiLayerNetwork net = (MultiLayerNetwork) model;
        INDArray input = net.getInput();
        long batch = input.size(0);
        long steps = input.rank() == 3 ? input.size(2) : 1;
        Gradient gradient = net.gradient();
        INDArray raw = gradient.gradient();
        raw.divi(steps);
        observer.beforeClipping(net, batch);
        lastNorm = raw.norm2Number().doubleValue() / batch;
        lastScale = 1;
        boolean clipped = switch (clipping.mode()) {
            case NONE -> false;
            case GLOBAL_L2 -> clipGlobal(raw, batch);
            case ELEMENTWISE -> clamp(raw, clipping.threshold() * batch);
            case L2_PER_LAYER -> clipEach(byLayer(net), batch);
            case L2_PER_PARAM_TYPE -> clipEach(new ArrayList<>(gradient.gradientForVariable().values()), batch);
            case RENORMALIZE_L2 -> renormalize(byLayer(net), batch);
        };
        if (clipped) {
            clippedSteps++;
        }
        observer.afterClipping(net, batch, clipped);
    }

    private boolean clipGlobal(INDArray raw, long batch) {
        if (lastNorm <= clipping.threshold()) {
            return false;
        }
        lastScale = clipping.threshold() / lastNorm;
        raw.muli(lastScale);
        return true;
    }

    private static boolean clamp(INDArray raw, double limit) {
        boolean exceeds = raw.amaxNumber().doubleValue() > limit;
        if (exceeds) {
            Transforms.min(raw, limit, false);
            Transforms.max(raw, -limit, false);
        }
        return exceeds;
    }

    private boolean clipEach(List<INDArray> parts, long batch) {
        boolean any = false;
        for (INDArray part : parts) {
            double norm = part.norm2Number().doubleValue() / batch;
            if (norm > clipping.threshold()) {
                part.muli(clipping.threshold() / norm);
                any = true;
            }
        }
        return any;
    }

    private static boolean renormalize(List<INDArray> layers, long batch) {
        for (INDArray layer : layers) {
            double norm = layer.norm2Number().doubleValue() / batch;
            if (norm > 0) {
                layer.muli(1.0 / norm);
            }
        }
        return true;
    }

    /** Each layer's gradient as one view (a layer's parameters are contiguous in the flat array). */
    private static List<INDArray> byLayer(MultiLayerNetwork net) {
        List<INDArray> layers = new ArrayList<>();
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            INDArray view = layer.getGradientsViewArray();
            if (view != null && view.length() > 0) {
                layers.add(view);
            }
        }
        return layers;
    }
}
