package dev.charrnn.nn;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Parameters of a gated recurrent layer with {@code gates} blocks side by side:
 * input weights W [nIn, gates*n], recurrent weights RW [n, gates*n], bias b [gates*n].
 * Each block is initialised on its own so every gate sees the fan-in/fan-out of an n-unit layer.
 */
public final class RecurrentParams implements ParamInitializer {

    public static final String WEIGHTS = "W";
    public static final String RECURRENT_WEIGHTS = "RW";
    public static final String BIAS = "b";

    private final int gates;
    private final int forgetGate;

    public RecurrentParams(int gates) {
        this(gates, -1);
    }

    /** {@code forgetGate}: the block whose bias starts at 1 so the cell remembers at first (Jozefowicz et al. 2015). */
    public RecurrentParams(int gates, int forgetGate) {
        this.gates = gates;
        this.forgetGate = forgetGate;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        BaseRecurrentLayer c = (BaseRecurrentLayer) layer;
        return gates * c.getNOut() * (c.getNIn() + c.getNOut() + 1);
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return List.of(WEIGHTS, RECURRENT_WEIGHTS, BIAS);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(WEIGHTS, RECURRENT_WEIGHTS);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(BIAS);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHTS.equals(key) || RECURRENT_WEIGHTS.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        BaseRecurrentLayer c = (BaseRecurrentLayer) conf.getLayer();
        Map<String, INDArray> params = views(paramsView, c.getNIn(), c.getNOut());
        if (initializeParams) {
            IWeightInit recurrentInit = c.getWeightInitFnRecurrent() != null ? c.getWeightInitFnRecurrent() : c.getWeightInitFn();
            initBlocks(c.getWeightInitFn(), params.get(WEIGHTS), c.getNIn(), c.getNOut());
            initBlocks(recurrentInit, params.get(RECURRENT_WEIGHTS), c.getNOut(), c.getNOut());
            params.get(BIAS).assign(c.getBiasInit());
            if (forgetGate >= 0) {
                params.get(BIAS).get(interval(forgetGate * c.getNOut(), (forgetGate + 1) * c.getNOut())).assign(1.0);
            }
        }
        conf.addVariable(WEIGHTS);
        conf.addVariable(RECURRENT_WEIGHTS);
        conf.addVariable(BIAS);
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        BaseRecurrentLayer c = (BaseRecurrentLayer) conf.getLayer();
        return views(gradientView, c.getNIn(), c.getNOut());
    }

    private void initBlocks(IWeightInit init, INDArray target, long fanIn, long n) {
        for (int g = 0; g < gates; g++) {
            INDArray block = target.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), interval(g * n, (g + 1) * n));
            block.assign(init.init(fanIn, n, new long[] {fanIn, n}, 'f',
                    org.nd4j.linalg.factory.Nd4j.createUninitialized(target.dataType(), new long[] {fanIn, n}, 'f')));
        }
    }

    private Map<String, INDArray> views(INDArray flat, long nIn, long n) {
        INDArray vector = flat.reshape(flat.length());
        long width = gates * n;
        long end = nIn * width;
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WEIGHTS, vector.get(interval(0, end)).reshape('f', nIn, width));
        m.put(RECURRENT_WEIGHTS, vector.get(interval(end, end + n * width)).reshape('f', n, width));
        end += n * width;
        m.put(BIAS, vector.get(interval(end, end + width)));
        return m;
    }
}
