package dev.charrnn.nn;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

/** Configuration of an LSTM layer, forget-gate bias starting at 1. */
public class LstmLayer extends FusedRecurrentLayerConf {

    public LstmLayer() {
        // for JSON deserialisation
    }

    private LstmLayer(Builder builder) {
        super(builder);
    }

    @Override
    protected FusedRecurrentLayer<?> newLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new LstmLayerImpl(conf, dataType);
    }

    @Override
    public java.util.List<String> gateNames() {
        return java.util.List.of("i", "f", "g", "o");
    }

    @Override
    public ParamInitializer initializer() {
        return new RecurrentParams(4, 1);
    }

    public static class Builder extends org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public LstmLayer build() {
            return new LstmLayer(this);
        }
    }
}
