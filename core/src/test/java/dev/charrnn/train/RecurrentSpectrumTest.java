package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.nn.RecurrentParams;
import dev.charrnn.text.EncodedText;

/** lambda1 by power iteration, and the flow probe's per-step contraction against Pascanu's condition. */
class RecurrentSpectrumTest {

    private static final int N = 32;
    private static final int STEPS = 40;
    private static final EncodedText TEXT = EncodedText.of(randomText(2000, 11), 0.1);

    @ParameterizedTest
    @EnumSource(CellType.class)
    void lambda1IsTheLargestSingularValueOfAFullSvdOfEachGateBlock(CellType cell) {
        MultiLayerNetwork net = NetworkFactory.create(ModelSpec.of(cell, 2, 48, 0.0, 16, 4, 0.01, 3L), 20);
        net.params().muli(1.7); // away from the init's scale, so nothing is a property of the init alone
        List<SpectralStats> spectrum = new RecurrentSpectrum().measure(net);

        int blocks = cell == CellType.LSTM ? 4 : cell == CellType.GRU ? 3 : 1;
        assertThat(spectrum).hasSize(2 * blocks);
        for (SpectralStats s : spectrum) {
            INDArray rw = net.getLayer(s.layer()).getParam(RecurrentParams.RECURRENT_WEIGHTS);
            int block = blocks == 1 ? 0 : List.of(cell == CellType.LSTM ? new String[] {"i", "f", "g", "o"}
                    : new String[] {"r", "u", "c"}).indexOf(s.param().substring(3));
            INDArray matrix = rw.get(NDArrayIndex.all(), NDArrayIndex.interval(block * 48L, (block + 1) * 48L));
            assertThat(s.lambda1()).as("%s of layer %d", s.param(), s.layer()).isCloseTo(svdMax(matrix), within(1e-3));
            assertThat(s.regime()).isEqualTo(s.lambda1() < 1 / s.gamma() ? SpectralStats.VANISHING
                    : SpectralStats.CAN_EXPLODE);
            assertThat(s.reading()).contains(String.format(java.util.Locale.ROOT, "%.3g", s.lambda1()));
        }
        if (cell == CellType.LSTM) {
            assertThat(spectrum).filteredOn(s -> s.param().equals("RW:g")).allMatch(s -> s.gamma() == 1.0);
            assertThat(spectrum).filteredOn(s -> s.param().equals("RW:f")).allMatch(s -> s.gamma() == 0.25);
        }
    }

    @Test
    void aWarmStartGivesTheSameValueAfterTheWeightsMove() {
        MultiLayerNetwork net = NetworkFactory.create(ModelSpec.of(CellType.RNN, 1, 64, 0.0, 16, 4, 0.01, 4L), 20);
        RecurrentSpectrum warm = new RecurrentSpectrum();
        warm.measure(net);
        INDArray rw = net.getLayer(0).getParam(RecurrentParams.RECURRENT_WEIGHTS);
        rw.addi(Nd4j.rand(DataType.FLOAT, rw.shape()).subi(0.5).muli(0.05));
        assertThat(warm.measure(net).get(0).lambda1()).isCloseTo(svdMax(rw), within(1e-3));
    }

    @Test
    void aTanhRnnScaledToLambdaOneHalfContractsByLessThanOneHalfPerStep() {
        MultiLayerNetwork net = rnn();
        INDArray rw = net.getLayer(0).getParam(RecurrentParams.RECURRENT_WEIGHTS);
        rw.muli(0.5 / svdMax(rw));
        SpectralStats spectral = new RecurrentSpectrum().measure(net).get(0);
        assertThat(spectral.lambda1()).isCloseTo(0.5, within(1e-4));
        assertThat(spectral.regime()).isEqualTo(SpectralStats.VANISHING);

        Contraction contraction = flow(net).contraction().get(0);

        assertThat(contraction.ratios()).hasSize(STEPS - 1).allSatisfy(r -> assertThat(r).isLessThan(0.5));
        assertThat(contraction.geometricMean()).isLessThan(0.5);
        assertThat(contraction.regime()).isEqualTo(Contraction.VANISHING);
        assertThat(contraction.lambda1()).isCloseTo(0.5, within(1e-4));
        assertThat(contraction.meanForget()).isNull();
    }

    @Test
    void atLambdaThreeTheProbeAndThePapersConditionAgreeOnTheRegime() {
        MultiLayerNetwork net = rnn();
        INDArray rw = net.getLayer(0).getParam(RecurrentParams.RECURRENT_WEIGHTS);
        rw.assign(orthogonal(N, 9).muli(3.0)); // every singular value 3: the recurrence drives the state
        net.getLayer(0).getParam(RecurrentParams.WEIGHTS).muli(0.1);
        SpectralStats spectral = new RecurrentSpectrum().measure(net).get(0);
        assertThat(spectral.lambda1()).isCloseTo(3.0, within(1e-3));

        Contraction contraction = flow(net).contraction().get(0);

        System.out.printf("lambda1 3: per-step factor %.3f%n", contraction.geometricMean());
        assertThat(spectral.regime()).isEqualTo(SpectralStats.CAN_EXPLODE);
        assertThat(contraction.regime()).isEqualTo(Contraction.EXPLODING);
        assertThat(contraction.geometricMean()).isGreaterThan(1.0).isLessThan(3.0);
    }

    @Test
    void anLstmsProbeReportsItsMeanForgetGate() {
        MultiLayerNetwork net = NetworkFactory.create(ModelSpec.of(CellType.LSTM, 2, N, 0.0, 16, 4, 0.01, 2L),
                TEXT.vocabulary().size());
        GradientFlowProbe.Flow flow = flow(net);
        assertThat(flow.contraction()).hasSize(2).allSatisfy(c -> {
            // the forget bias starts at 1: sigmoid(1 + small terms) is about 0.73
            assertThat(c.meanForget()).isBetween(0.6, 0.85);
            assertThat(c.geometricMean()).isPositive();
        });
        assertThat(flow.contraction()).extracting(Contraction::layer).containsExactly(0, 1);
    }

    private static MultiLayerNetwork rnn() {
        return NetworkFactory.create(ModelSpec.of(CellType.RNN, 1, N, 0.0, 16, 4, 0.01, 7L), TEXT.vocabulary().size());
    }

    private static GradientFlowProbe.Flow flow(MultiLayerNetwork net) {
        return GradientFlowProbe.measure(net, Arrays.copyOfRange(TEXT.symbols(), 0, STEPS + 1), TEXT.vocabulary().size());
    }

    /** The largest singular value by LAPACK's full SVD. */
    static double svdMax(INDArray matrix) {
        INDArray a = matrix.castTo(DataType.DOUBLE).dup('f');
        long m = a.rows();
        long n = a.columns();
        INDArray s = Nd4j.create(DataType.DOUBLE, Math.min(m, n));
        Nd4j.getBlasWrapper().lapack().gesvd(a, s, null, null);
        return s.maxNumber().doubleValue();
    }

    /** A random orthogonal matrix (Gram-Schmidt on Gaussian columns). */
    private static INDArray orthogonal(int n, long seed) {
        Random random = new Random(seed);
        double[][] q = new double[n][n];
        for (int j = 0; j < n; j++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = random.nextGaussian();
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += v[i] * q[i][k];
                }
                for (int i = 0; i < n; i++) {
                    v[i] -= dot * q[i][k];
                }
            }
            double length = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
            for (int i = 0; i < n; i++) {
                q[i][j] = v[i] / length;
            }
        }
        return Nd4j.create(q).castTo(DataType.FLOAT);
    }

    static String randomText(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        String letters = "abcdefgh ";
        for (int i = 0; i < length; i++) {
            text.append(letters.charAt(random.nextInt(letters.length())));
        }
        return text.toString();
    }
}
