package dev.charrnn.nn;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The softmax output layer in ND4J operations (runs on the device under CUDA): three products and a few row-wise operations. */
final class SoftmaxOpsPath implements SoftmaxPath {

    @Override
    public void probabilities(INDArray x, INDArray w, INDArray b, INDArray mask, INDArray out) {
        softmax(x, w, b, out);
        if (mask != null) {
            out.muli(mask, out);
        }
    }

    @Override
    public double backward(INDArray x, INDArray y, INDArray w, INDArray b, INDArray mask, double clip, INDArray delta,
                           INDArray dW, INDArray dB, INDArray epsilon, LayerWorkspaceMgr workspaces) {
        softmax(x, w, b, delta);
        INDArray logs = workspaces.createUninitialized(ArrayType.BP_WORKING_MEM, delta.dataType(), delta.shape(), 'c');
        logs.assign(delta);
        if (clip > 0) {
            Transforms.min(Transforms.max(logs, clip, false), 1 - clip, false);
        }
        Transforms.log(logs, false).muli(y, logs);
        delta.subi(y, delta);
        if (mask != null) {
            logs.muli(mask, logs);
            delta.muli(mask, delta);
        }
        double loss = -logs.sumNumber().doubleValue();
        delta.sum(dB, true, 0);
        Nd4j.gemm(x, delta, dW, true, false, 1.0, 0.0);
        Nd4j.gemm(delta, w, epsilon, false, true, 1.0, 0.0);
        return loss;
    }

    private static void softmax(INDArray x, INDArray w, INDArray b, INDArray out) {
        Nd4j.gemm(x, w, out, false, false, 1.0, 0.0);
        out.addi(b.reshape(1, out.size(1)), out);
        Nd4j.exec(new SoftMax(out, out, 1));
    }
}
