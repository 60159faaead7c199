package dev.charrnn.train;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.conditions.Conditions;

import dev.charrnn.nn.FusedRecurrentLayerConf;

/**
 * Records {@link GradientStats} every {@code every} iterations: per parameter and gate block, the
 * per-character gradient before and after clipping, and after the optimiser step the
 * update:parameter ratio. Between recordings it does nothing, so it costs little.
 */
public final class GradientRecorder extends BaseTrainingListener implements GradientClipper.Observer {

    private final int every;
    private final Consumer<GradientStats> sink;
    private long iteration;
    private List<Block> blocks;
    private double[][] raw;
    private INDArray paramsBefore;
    private double globalNorm;

    public GradientRecorder(int every, Consumer<GradientStats> sink) {
        this.every = every;
        this.sink = sink;
    }

    /** A parameter, or one gate's columns of it. */
    private record Block(int layer, String name, INDArray gradient, INDArray param) {
    }

    @Override
    public void beforeClipping(MultiLayerNetwork net, long batch) {
        iteration = net.getIterationCount() + 1;
        if (iteration % every != 0) {
            blocks = null;
            return;
        }
        blocks = blocks(net);
        raw = new double[blocks.size()][];
        for (int i = 0; i < blocks.size(); i++) {
            INDArray g = blocks.get(i).gradient();
            long nonFinite = g.scan(Conditions.isNan()).longValue() + g.scan(Conditions.isInfinite()).longValue();
            raw[i] = new double[] {g.norm2Number().doubleValue() / batch, g.norm1Number().doubleValue() / g.length() / batch,
                    g.amaxNumber().doubleValue() / batch, nonFinite};
        }
        globalNorm = net.gradient().gradient().norm2Number().doubleValue() / batch;
        paramsBefore = net.params().dup();
    }

    @Override
    public void afterClipping(MultiLayerNetwork net, long batch, boolean clipped) {
        if (blocks == null) {
            return;
        }
        double clippedNorm = net.gradient().gradient().norm2Number().doubleValue() / batch;
        List<double[]> after = new ArrayList<>();
        for (Block block : blocks) {
            after.add(new double[] {block.gradient().norm2Number().doubleValue() / batch});
        }
        pending = new Pending(clipped, clippedNorm, after);
    }

    private record Pending(boolean clipped, double clippedNorm, List<double[]> after) {
    }

    private Pending pending;

    /** After the optimiser step: the update is the change of the parameters. */
    @Override
    public void iterationDone(Model model, int iterationCount, int epoch) {
        if (blocks == null || pending == null) {
            return;
        }
        MultiLayerNetwork net = (MultiLayerNetwork) model;
        INDArray update = net.params().sub(paramsBefore);
        List<ParamStats> params = new ArrayList<>();
        List<Block> updated = blocks(net, update);
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            double meanParam = block.param().norm1Number().doubleValue() / block.param().length();
            double meanUpdate = updated.get(i).gradient().norm1Number().doubleValue() / block.param().length();
            Double ratio = meanParam > 0 && meanUpdate > 0 ? Math.log10(meanUpdate / meanParam) : null;
            params.add(new ParamStats(block.layer(), block.name(), raw[i][0], pending.after().get(i)[0], raw[i][1],
                    raw[i][2], (long) raw[i][3], ratio));
        }
        sink.accept(new GradientStats(iteration, globalNorm, pending.clippedNorm(), pending.clipped(),
                globalNorm > 0 ? pending.clippedNorm() / globalNorm : 1.0, params));
        blocks = null;
        pending = null;
        paramsBefore = null;
    }

    private static List<Block> blocks(MultiLayerNetwork net) {
        return blocks(net, null);
    }

    /** Every parameter of every layer, split by gate for the recurrent ones; gradients or {@code flat} slices. */
    private static List<Block> blocks(MultiLayerNetwork net, INDArray flatOverride) {
        List<Block> result = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i);
            List<String> gates = layer.conf().getLayer() instanceof FusedRecurrentLayerConf conf ? conf.gateNames() : List.of();
            for (var entry : layer.paramTable().entrySet()) {
                INDArray param = entry.getValue();
                INDArray gradient = flatOverride == null ? net.gradient().getGradientFor(i + "_" + entry.getKey())
                        : flatOverride.reshape(flatOverride.length()).get(interval(offset, offset + param.length()))
                        .reshape(param.ordering(), param.shape());
                offset += param.length();
                if (gates.size() <= 1) {
                    result.add(new Block(i, entry.getKey(), gradient, param));
                    continue;
                }
                long n = param.size(param.rank() - 1) / gates.size();
                for (int g = 0; g < gates.size(); g++) {
                    result.add(new Block(i, entry.getKey() + ":" + gates.get(g), columns(gradient, g, n), columns(param, g, n)));
                }
            }
        }
        return result;
    }

    private static INDArray columns(INDArray array, int block, long n) {
        return array.rank() == 1 ? array.get(interval(block * n, (block + 1) * n))
                : array.get(all(), interval(block * n, (block + 1) * n));
    }
}
