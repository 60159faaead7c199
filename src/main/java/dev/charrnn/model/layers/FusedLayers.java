package dev.charrnn.model.layers;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The wiring every DL4J layer configuration does when it instantiates its implementation. */
final class FusedLayers {

    private FusedLayers() {
    }

    static Layer wire(FusedRecurrentLayer<?> layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                      int index, INDArray paramsView, boolean initializeParams, ParamInitializer initializer) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
