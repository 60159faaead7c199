package dev.charrnn.model.layers;

import java.util.Collection;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Configuration of a vanilla tanh RNN layer with a correct truncated-BPTT backward pass. */
public class TanhRnnLayer extends BaseRecurrentLayer {

    public TanhRnnLayer() {
        // for JSON deserialisation
    }

    private TanhRnnLayer(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType dataType) {
        LayerValidation.assertNInNOutSet("TanhRnnLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        TanhRnnLayerImpl layer = new TanhRnnLayerImpl(conf, dataType);
        return FusedLayers.wire(layer, conf, listeners, layerIndex, paramsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return new RecurrentParams(1);
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return null;
    }

    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public TanhRnnLayer build() {
            return new TanhRnnLayer(this);
        }
    }
}
