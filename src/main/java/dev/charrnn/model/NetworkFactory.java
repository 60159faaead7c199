package dev.charrnn.model;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import dev.charrnn.model.layers.GruLayer;
import dev.charrnn.model.layers.LstmLayer;
import dev.charrnn.model.layers.TanhRnnLayer;

/**
 * Turns a {@link ModelSpec} into a DL4J network: one-hot characters in, {@code layers} recurrent
 * layers, a softmax over the vocabulary out, trained with truncated BPTT of {@code seqLength}.
 */
public final class NetworkFactory {

    /** Per-layer L2 clip until the global-norm clip of the cells issue lands. */
    static final double CLIP_THRESHOLD = 5.0;

    private NetworkFactory() {
    }

    public static MultiLayerNetwork create(ModelSpec spec, int vocabularySize) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(spec, vocabularySize));
        net.init();
        return net;
    }

    public static MultiLayerConfiguration configuration(ModelSpec spec, int vocabularySize) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(spec.learningRate()))
                .gradientNormalization(GradientNormalization.ClipL2PerLayer)
                .gradientNormalizationThreshold(CLIP_THRESHOLD)
                .list();
        for (int i = 0; i < spec.layers(); i++) {
            int nIn = i == 0 ? vocabularySize : spec.hiddenSize();
            list.layer(withDropout(recurrentLayer(spec.cell(), nIn, spec.hiddenSize()), spec, i));
        }
        RnnOutputLayer output = new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                .nIn(spec.hiddenSize()).nOut(vocabularySize)
                .build();
        list.layer(withDropout(output, spec, spec.layers()));
        return list.backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(spec.seqLength())
                .tBPTTBackwardLength(spec.seqLength())
                .build();
    }

    /** The service's own layers: whole-sequence input projections and exact carried-state gradients. */
    private static BaseRecurrentLayer recurrentLayer(CellType cell, int nIn, int nOut) {
        BaseRecurrentLayer.Builder<?> builder = switch (cell) {
            case RNN -> new TanhRnnLayer.Builder();
            case LSTM -> new LstmLayer.Builder();
            case GRU -> new GruLayer.Builder();
        };
        return (BaseRecurrentLayer) builder.nIn(nIn).nOut(nOut).build();
    }

    /** Dropout on the input of every layer but the first, as in char-rnn: never on the one-hot input. */
    private static <T extends org.deeplearning4j.nn.conf.layers.Layer> T withDropout(T layer, ModelSpec spec, int index) {
        if (index > 0 && spec.dropout() > 0) {
            layer.setIDropout(new Dropout(1.0 - spec.dropout()));
        }
        return layer;
    }
}
