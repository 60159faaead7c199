package dev.charrnn.nn;

import java.util.Collection;

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

/**
 * The configuration side of a {@link FusedRecurrentLayer}: it serialises with the network (by class
 * name, like DL4J's own layers) and creates the implementation with its parameter views.
 */
public abstract class FusedRecurrentLayerConf extends BaseRecurrentLayer {

    protected FusedRecurrentLayerConf() {
        // for JSON deserialisation
    }

    protected FusedRecurrentLayerConf(BaseRecurrentLayer.Builder<?> builder) {
        super(builder);
    }

    /** Names of the gate blocks, in column order of W, RW and b. */
    public abstract java.util.List<String> gateNames();

    /** The implementation for this configuration. */
    protected abstract FusedRecurrentLayer<?> newLayer(NeuralNetConfiguration conf, DataType dataType);

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType dataType) {
        LayerValidation.assertNInNOutSet(getClass().getSimpleName(), getLayerName(), layerIndex, getNIn(), getNOut());
        FusedRecurrentLayer<?> layer = newLayer(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public abstract ParamInitializer initializer();

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return null; // DL4J's memory estimate is not used by the service
    }
}
