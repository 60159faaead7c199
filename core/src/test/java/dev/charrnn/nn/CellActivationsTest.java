package dev.charrnn.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.text.OneHot;

/** What a recording layer copies out of its pass: the same on both paths, and the cell's own equations. */
class CellActivationsTest {

    private static final int VOCABULARY = 11;
    private static final int N = 12;
    private static final int[] SYMBOLS = {1, 4, 2, 9, 0, 3, 3, 7, 10, 5, 6, 8, 2, 1, 0, 4, 9, 7};
    private static final int[] STARTS = {0, 3, 6};
    private static final int STEPS = 10;

    @ParameterizedTest
    @EnumSource(CellType.class)
    void hostAndOpsPathsRecordTheSameCellsAndTheCellsObeyTheirEquations(CellType cell) {
        MultiLayerNetwork net = NetworkFactory.create(ModelSpec.of(cell, 2, N, 0.0, 16, 4, 0.01, 3L), VOCABULARY);
        CellActivations host = recorded(net, LayerPath.HOST, 1);
        CellActivations ops = recorded(net, LayerPath.OPS, 1);

        assertThat(host.batch()).isEqualTo(STARTS.length);
        assertThat(host.steps()).isEqualTo(STEPS);
        assertThat(host.gates()).extracting(CellActivations.Gate::name)
                .containsExactlyElementsOf(ops.gates().stream().map(CellActivations.Gate::name).toList());
        for (int g = 0; g < host.gates().size(); g++) {
            assertClose(host.gates().get(g).values(), ops.gates().get(g).values());
            assertThat(host.gates().get(g).values().shape()).containsExactly(STEPS * STARTS.length, N);
        }
        assertClose(host.hidden(), ops.hidden());
        INDArray output = net.feedForward(input(), false).get(2); // layer 1's output, [batch, n, steps]
        for (int t = 0; t < STEPS; t++) {
            INDArray step = output.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(t));
            assertClose(host.hidden().get(NDArrayIndex.interval(t * STARTS.length, (t + 1) * STARTS.length),
                    NDArrayIndex.all()), step);
        }
        switch (cell) {
            case LSTM -> { // h = o * tanh(c)
                assertClose(host.hidden(), gate(host, "o").mul(Transforms.tanh(host.cell(), true)));
                assertClose(host.cell(), ops.cell());
            }
            case GRU -> { // h = u * h' + (1 - u) * c, h' = 0 before the first step
                INDArray first = rows(host.hidden(), 0);
                assertClose(first, gate(host, "u").rsub(1.0).mul(gate(host, "c")).get(
                        NDArrayIndex.interval(0, STARTS.length), NDArrayIndex.all()));
                assertThat(host.cell()).isNull();
            }
            case RNN -> {
                assertThat(host.gates().get(0).values()).isSameAs(host.hidden());
                assertThat(host.cell()).isNull();
            }
        }
        for (CellActivations.Gate gate : host.gates()) {
            double min = gate.values().minNumber().doubleValue();
            double max = gate.values().maxNumber().doubleValue();
            assertThat(min).isGreaterThanOrEqualTo(gate.sigmoid() ? 0.0 : -1.0);
            assertThat(max).isLessThanOrEqualTo(1.0);
        }
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aLayerThatIsNotToldRecordsNothing(CellType cell) {
        MultiLayerNetwork net = NetworkFactory.create(ModelSpec.of(cell, 1, N, 0.0, 16, 4, 0.01, 3L), VOCABULARY);
        net.output(input(), false);
        assertThat(((FusedRecurrentLayer<?>) net.getLayer(0)).recordedActivations()).isNull();
        FusedRecurrentLayer<?> layer = (FusedRecurrentLayer<?>) net.getLayer(0);
        layer.recordActivations(true);
        net.output(input(), false);
        assertThat(layer.recordedActivations()).isNotNull();
        layer.recordActivations(false);
        assertThat(layer.recordedActivations()).isNull();
    }

    private static CellActivations recorded(MultiLayerNetwork net, LayerPath path, int layer) {
        new Compute(path, Gang.CALLER_ONLY).applyTo(net);
        FusedRecurrentLayer<?> recurrent = (FusedRecurrentLayer<?>) net.getLayer(layer);
        recurrent.recordActivations(true);
        net.rnnClearPreviousState();
        net.output(input(), false);
        CellActivations pass = recurrent.recordedActivations();
        recurrent.recordActivations(false);
        return pass;
    }

    private static INDArray gate(CellActivations pass, String name) {
        List<CellActivations.Gate> gates = pass.gates().stream().filter(g -> g.name().equals(name)).toList();
        return gates.get(0).values();
    }

    private static INDArray rows(INDArray values, int step) {
        return values.get(NDArrayIndex.interval(step * STARTS.length, (step + 1) * STARTS.length), NDArrayIndex.all());
    }

    private static INDArray input() {
        return OneHot.windows(SYMBOLS, STARTS, STEPS, VOCABULARY);
    }

    private static void assertClose(INDArray actual, INDArray expected) {
        double worst = Transforms.abs(actual.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)), false)
                .maxNumber().doubleValue();
        assertThat(worst).isLessThan(1e-5);
        assertThat(actual.castTo(DataType.DOUBLE).norm2Number().doubleValue()).isPositive();
        assertThat(Nd4j.getExecutioner()).isNotNull();
    }
}
