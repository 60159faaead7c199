package dev.charrnn.nn;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

/** Configuration of a vanilla tanh RNN layer. */
public class TanhRnnLayer extends FusedRecurrentLayerConf {

    public TanhRnnLayer() {
        // for JSON deserialisation
    }

    private TanhRnnLayer(Builder builder) {
        super(builder);
    }

    @Override
    protected FusedRecurrentLayer<?> newLayer(NeuralNetConfiguration conf, DataType dataType) {
        return new TanhRnnLayerImpl(conf, dataType);
    }

    @Override
    public java.util.List<String> gateNames() {
        return java.util.List.of("h");
    }

    @Override
    public ParamInitializer initializer() {
        return new RecurrentParams(1);
    }

    public static class Builder extends org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public TanhRnnLayer build() {
            return new TanhRnnLayer(this);
        }
    }
}
