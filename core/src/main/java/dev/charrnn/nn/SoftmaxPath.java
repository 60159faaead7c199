package dev.charrnn.nn;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One way of computing {@link SoftmaxOutputLayerImpl}'s softmax and cross-entropy over time-major
 * rows: {@link SoftmaxHostPath} or {@link SoftmaxOpsPath}. {@code mask} is a [rows, 1] column
 * of per-step weights, or null.
 */
interface SoftmaxPath {

    /** {@code out} = softmax(x W + b) row by row, times the mask. */
    void probabilities(INDArray x, INDArray w, INDArray b, INDArray mask, INDArray out);

    /**
     * With p = softmax(x W + b): writes {@code delta} = (p - y) m, {@code dW} = x^T delta,
     * {@code dB} = the sum of delta's rows and {@code epsilon} = delta W^T; returns the loss
     * -sum(m y log(p)), p clipped to [clip, 1 - clip] there when {@code clip} > 0 (DL4J's).
     */
    double backward(INDArray x, INDArray y, INDArray w, INDArray b, INDArray mask, double clip, INDArray delta,
                    INDArray dW, INDArray dB, INDArray epsilon, LayerWorkspaceMgr workspaces);
}
