package dev.charrnn.spark;

import java.io.Serializable;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import dev.charrnn.nn.GradientClipping;
import dev.charrnn.train.GradientClipper;

/**
 * The service's {@link GradientClipper} on every Spark worker. Workers get their listeners by Java
 * serialisation, so this carries only the clipping settings and builds the clipper where it runs.
 * It keeps learning rates and thresholds meaning what they mean in the service (per-character
 * gradient), not DL4J's gradient summed over the window.
 */
final class SparkGradientClipping extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    private final GradientClipping.Mode mode;
    private final double threshold;
    private transient GradientClipper clipper;

    SparkGradientClipping(GradientClipping clipping) {
        this.mode = clipping.mode();
        this.threshold = clipping.threshold();
    }

    @Override
    public void onGradientCalculation(Model model) {
        if (clipper == null) {
            clipper = new GradientClipper(new GradientClipping(mode, threshold));
        }
        clipper.onGradientCalculation(model);
    }
}
