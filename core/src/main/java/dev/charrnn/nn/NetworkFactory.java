package dev.charrnn.nn;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * Turns a {@link ModelSpec} into a DL4J network: one-hot characters in, {@code layers} recurrent
 * layers, a softmax over the vocabulary out, trained with truncated BPTT of {@code seqLength}.
 */
public final class NetworkFactory {

    private NetworkFactory() {
    }

    public static MultiLayerNetwork create(ModelSpec spec, int vocabularySize) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(spec, vocabularySize));
        net.init();
        return net;
    }

    public static MultiLayerConfiguration configuration(ModelSpec spec, int vocabularySize) {
        // Clipping is not DL4J's: GradientClipper applies it to the per-character gradient.
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(spec.seed())
                .dataType(DataType.FLOAT)
                .weightInit(spec.weightInit().dl4j())
                .updater(updater(spec))
                .gradientNormalization(GradientNormalization.None)
                .list();
        for (int i = 0; i < spec.layers(); i++) {
            int nIn = i == 0 ? vocabularySize : spec.hiddenSize();
            list.layer(withDropout(recurrentLayer(spec.cell(), nIn, spec.hiddenSize()), spec, i));
        }
        RnnOutputLayer output = SoftmaxOutputLayer.of(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                .nIn(spec.hiddenSize()).nOut(vocabularySize)
                .build());
        list.layer(withDropout(output, spec, spec.layers()));
        return list.backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(spec.seqLength())
                .tBPTTBackwardLength(spec.seqLength())
                .build();
    }

    static IUpdater updater(ModelSpec spec) {
        LearningRateDecay decay = spec.learningRateDecay();
        ISchedule rate = new StepSchedule(ScheduleType.ITERATION, spec.learningRate(), decay.factor(), decay.every());
        return switch (spec.optimizer()) {
            case ADAM -> Adam.builder().learningRateSchedule(rate).build();
            case RMSPROP -> rmsProp(rate);
            case SGD -> new Nesterovs(rate, 0.9);
        };
    }

    /** char-rnn's RMSProp: squared-gradient average decays by 0.95 per step. */
    private static RmsProp rmsProp(ISchedule rate) {
        RmsProp rmsProp = new RmsProp(rate);
        rmsProp.setRmsDecay(0.95);
        return rmsProp;
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
