package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.factory.Nd4j;

import dev.charrnn.Fixtures;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.Compute;
import dev.charrnn.nn.FusedRecurrentLayer;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.SoftmaxOutputLayerImpl;
import dev.charrnn.text.EncodedText;

/**
 * Training on either path is the same training: the same seed gives the same loss trajectory to
 * float precision, and a model saved on one path continues on the other as it would on its own.
 * The Trainer makes its networks itself, so the path is the process setting, as in the service.
 */
class LayerPathTrainingTest {

    private static final int ITERATIONS = 20;
    /** Float rounding differs between the paths (other summation orders); Adam carries it along. */
    private static final double TOLERANCE = 2e-4;

    private final EncodedText text = Fixtures.patternText();

    /** Two layers with dropout between them: the ops path's dropout, masks off, and the carried state. */
    private static ModelSpec spec(CellType cell) {
        return ModelSpec.of(cell, 2, 24, 0.2, 12, 5, 0.02, 11L);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void twentyIterationsGiveTheSameLossTrajectoryOnEitherPath(CellType cell) {
        List<Double> host = trajectory(cell, LayerPath.HOST);
        List<Double> ops = trajectory(cell, LayerPath.OPS);

        assertThat(host).hasSize(ITERATIONS);
        assertThat(host.get(ITERATIONS - 1)).as("it learns").isLessThan(0.8 * host.get(0));
        assertSameTrajectory(ops, host);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aModelTrainedOnOnePathContinuesOnTheOther(CellType cell) {
        byte[] fromHost = saved(train(cell, LayerPath.HOST));
        byte[] fromOps = saved(train(cell, LayerPath.OPS));

        List<Double> hostThenHost = continued(fromHost, cell, LayerPath.HOST);
        List<Double> hostThenOps = continued(fromHost, cell, LayerPath.OPS);
        List<Double> opsThenHost = continued(fromOps, cell, LayerPath.HOST);

        assertSameTrajectory(hostThenOps, hostThenHost);
        assertSameTrajectory(opsThenHost, hostThenHost);
    }

    private MultiLayerNetwork train(CellType cell, LayerPath path) {
        return Trainer.train(text, spec(cell), schedule(), Compute.DEFAULT.on(path), m -> { }).network();
    }

    private List<Double> continued(byte[] model, CellType cell, LayerPath expected) {
        MultiLayerNetwork restored = restore(model);
        Nd4j.getRandom().setSeed(spec(cell).seed()); // a resumed network does not reseed it: the same dropout masks each time
        List<Double> losses = new ArrayList<>();
        Trainer.Result result = Trainer.resume(restored, null, text, spec(cell), schedule(), Compute.DEFAULT.on(expected),
                m -> losses.add(m.trainLoss()));
        assertThat(result.network().getLayers()).allSatisfy(layer -> assertThat(pathOf(layer)).isEqualTo(expected));
        assertThat(result.last().iteration()).isEqualTo(2L * ITERATIONS);
        return losses;
    }

    private List<Double> trajectory(CellType cell, LayerPath path) {
        List<Double> losses = new ArrayList<>();
        Trainer.train(text, spec(cell), schedule(), Compute.DEFAULT.on(path), m -> losses.add(m.trainLoss()));
        return losses;
    }

    private static TrainingSchedule schedule() {
        return TrainingSchedule.iterations(ITERATIONS, 0.1, ITERATIONS);
    }

    private static LayerPath pathOf(Layer layer) {
        if (layer instanceof FusedRecurrentLayer<?> recurrent) {
            return recurrent.layerPath();
        }
        return ((SoftmaxOutputLayerImpl) layer).layerPath();
    }

    private static void assertSameTrajectory(List<Double> actual, List<Double> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(Math.abs(actual.get(i) - expected.get(i)) / expected.get(i)).as("iteration %d: %s vs %s", i + 1,
                    actual.get(i), expected.get(i)).isLessThan(TOLERANCE);
        }
    }

    private static byte[] saved(MultiLayerNetwork network) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(network, bytes, true);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MultiLayerNetwork restore(byte[] model) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model), true);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
