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

/** Configuration of a GRU layer (DL4J 1.0.0-M2.1 has none); serialises with the network. */
public class GruLayer extends BaseRecurrentLayer {

    public GruLayer() {
        // for JSON deserialisation
    }

    private GruLayer(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType dataType) {
        LayerValidation.assertNInNOutSet("GruLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        GruLayerImpl layer = new GruLayerImpl(conf, dataType);
        return FusedLayers.wire(layer, conf, listeners, layerIndex, paramsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return new RecurrentParams(3);
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return null;
    }

    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public GruLayer build() {
            return new GruLayer(this);
        }
    }
}
