package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import dev.charrnn.Fixtures;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.GradientClipping;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.text.CharSequenceIterator;
import dev.charrnn.text.EncodedText;

class GradientRecorderTest {

    private final EncodedText text = Fixtures.patternText();

    @Test
    void statisticsMatchTheGradientComputedIndependently() {
        ModelSpec spec = ModelSpec.of(CellType.GRU, 1, 16, 0.0, 16, 4, 0.01, 5L).withStatsEvery(1)
                .withClipping(new GradientClipping(GradientClipping.Mode.GLOBAL_L2, 1e6));
        GradientStats first = record(spec, 1).get(0);

        MultiLayerNetwork twin = NetworkFactory.create(spec, text.vocabulary().size());
        DataSet window = new CharSequenceIterator(text.symbols(), 0, text.trainLength(), text.vocabulary().size(),
                spec.batchSize(), spec.seqLength()).next();
        twin.setInput(window.getFeatures());
        twin.setLabels(window.getLabels());
        twin.computeGradientAndScore();
        double perCharacter = spec.batchSize() * spec.seqLength();
        INDArray recurrent = twin.gradient().getGradientFor("0_RW");

        assertThat(first.iteration()).isEqualTo(1);
        assertThat(first.globalNorm()).isCloseTo(twin.gradient().gradient().norm2Number().doubleValue() / perCharacter,
                within(1e-5));
        ParamStats update = param(first, 0, "RW:u");
        INDArray updateBlock = recurrent.get(NDArrayIndex.all(), NDArrayIndex.interval(16, 32));
        assertThat(update.norm()).isCloseTo(updateBlock.norm2Number().doubleValue() / perCharacter, within(1e-6));
        assertThat(update.maxAbs()).isCloseTo(updateBlock.amaxNumber().doubleValue() / perCharacter, within(1e-7));
        assertThat(update.meanAbs()).isCloseTo(updateBlock.norm1Number().doubleValue() / updateBlock.length() / perCharacter,
                within(1e-7));
        assertThat(update.nonFinite()).isZero();
        assertThat(first.params()).extracting(ParamStats::param)
                .contains("W:r", "W:u", "W:c", "RW:r", "RW:u", "RW:c", "b:r", "b:u", "b:c", "W", "b");
        assertThat(first.params()).allSatisfy(p -> assertThat(p.updateRatioLog10()).isBetween(-8.0, 0.0));
    }

    @Test
    void clippingFlagsAgreeWithTheThreshold() {
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 1, 16, 0.0, 16, 4, 0.01, 5L).withStatsEvery(1);
        List<GradientStats> clipped = record(spec.withClipping(new GradientClipping(GradientClipping.Mode.GLOBAL_L2, 1e-4)), 3);
        List<GradientStats> free = record(spec.withClipping(new GradientClipping(GradientClipping.Mode.GLOBAL_L2, 1e6)), 3);
        assertThat(clipped).hasSize(3);
        assertThat(free).hasSize(3);
        for (GradientStats s : clipped) {
            assertThat(s.clipped()).isTrue();
            assertThat(s.globalNormClipped()).isCloseTo(1e-4, within(1e-9));
            assertThat(s.clipScale()).isLessThan(1);
        }
        for (GradientStats s : free) {
            assertThat(s.clipped()).isFalse();
            assertThat(s.globalNormClipped()).isEqualTo(s.globalNorm());
            assertThat(s.params()).allSatisfy(p -> assertThat(p.normClipped()).isCloseTo(p.norm(), within(1e-9)));
        }
    }

    @Test
    void statisticsComeEveryStatsEveryIterations() {
        ModelSpec spec = new ModelSpec(CellType.RNN, 1, 8, 0.0, 16, 4, 0.01, null, null, null, null, 1L, 4, 0);
        assertThat(record(spec, 12)).extracting(GradientStats::iteration).containsExactly(4L, 8L, 12L);
    }

    @Test
    void theHistoryStaysBoundedThinsOldPointsAndKeepsTheNewest() {
        GradientHistory history = new GradientHistory(8);
        IntStream.rangeClosed(1, 100).forEach(i -> history.add(new GradientStats(i, 1, 1, false, 1, List.of())));
        List<GradientStats> points = history.points();
        assertThat(points).hasSizeLessThanOrEqualTo(8);
        assertThat(points.get(points.size() - 1).iteration()).isEqualTo(100);
        assertThat(points.get(0).iteration()).isEqualTo(1);
        assertThat(points).extracting(GradientStats::iteration).isSorted();
    }

    private List<GradientStats> record(ModelSpec spec, int iterations) {
        List<GradientStats> stats = new ArrayList<>();
        Trainer.train(text, spec, TrainingSchedule.iterations(iterations, 0.1, 1000), new Trainer.Monitor() {
            @Override
            public void onIteration(dev.charrnn.train.TrainingMetrics metrics) {
            }

            @Override
            public void onGradients(GradientStats s) {
                stats.add(s);
            }
        });
        return stats;
    }

    private static ParamStats param(GradientStats stats, int layer, String name) {
        return stats.params().stream().filter(p -> p.layer() == layer && p.param().equals(name)).findFirst().orElseThrow();
    }
}
