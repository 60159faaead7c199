package dev.charrnn.nn;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

/** Configuration of a GRU layer (DL4J 1.0.0-M2.1 has none). */
public class GruLayer extends FusedRecurrentLayerConf {

    public GruLayer() {
        // for JSON deserialisation
    }

    private GruLayer(Builder builder) {
        super(builder);
    }

    @Override
    protected FusedRecurrentLayer<?> newLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new GruLayerImpl(conf, dataType);
    }

    @Override
    public java.util.List<String> gateNames() {
        return java.util.List.of("r", "u", "c");
    }

    @Override
    public ParamInitializer initializer() {
        return new RecurrentParams(3);
    }

    public static class Builder extends org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public GruLayer build() {
            return new GruLayer(this);
        }
    }
}
