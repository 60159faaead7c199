package dev.charrnn.nn;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's softmax + cross-entropy RnnOutputLayer, computed by {@link SoftmaxOutputLayerImpl}: the
 * same configuration, parameters, loss, gradients and serialisation (a subclass, so every place that
 * knows an RnnOutputLayer knows this one), without DL4J's reshaping copies and second forward pass.
 */
public class SoftmaxOutputLayer extends RnnOutputLayer {

    /** For JSON deserialisation. */
    public SoftmaxOutputLayer() {
    }

    /** This layer with every setting of a built RnnOutputLayer (whose constructor from a builder is private). */
    public static SoftmaxOutputLayer of(RnnOutputLayer built) {
        SoftmaxOutputLayer layer = new SoftmaxOutputLayer();
        for (Class<?> type = RnnOutputLayer.class; type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    field.set(layer, field.get(built));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot copy " + field, e);
                }
            }
        }
        return layer;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType dataType) {
        LayerValidation.assertNInNOutSet("SoftmaxOutputLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        SoftmaxOutputLayerImpl layer = new SoftmaxOutputLayerImpl(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> params = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }
}
