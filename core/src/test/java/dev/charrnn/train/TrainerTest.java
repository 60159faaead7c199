package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.charrnn.Fixtures;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.GradientClipping;
import dev.charrnn.nn.LearningRateDecay;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.nn.Optimizer;
import dev.charrnn.text.CharSequenceIterator;
import dev.charrnn.text.EncodedText;

class TrainerTest {

    private final EncodedText text = Fixtures.patternText();
    private final double uniformBits = Math.log(text.vocabulary().size()) / Math.log(2);

    @Test
    void tinyLstmLearnsAPatternCorpusFarBelowTheUniformLoss() {
        List<TrainingMetrics> steps = new ArrayList<>();
        Trainer.Result result = Trainer.train(text, Fixtures.tinySpec(CellType.LSTM, 1),
                TrainingSchedule.iterations(150, 0.1, 50), steps::add);

        double firstLossNats = steps.get(0).trainLoss();
        assertThat(firstLossNats).as("an untrained net is close to uniform: ln V per character")
                .isBetween(0.8 * Math.log(text.vocabulary().size()), 1.2 * Math.log(text.vocabulary().size()));
        assertThat(result.metrics().valBpc()).as("validation bits per char after training")
                .isLessThan(0.15 * uniformBits);
        assertThat(result.metrics().valPerplexity()).isCloseTo(Math.pow(2, result.metrics().valBpc()),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(result.history()).extracting(TrainingMetrics::iteration).containsExactly(50L, 100L, 150L);
        assertThat(result.stopped()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"RNN", "GRU"})
    void theOtherCellsLearnWithTruncatedBpttToo(CellType cell) {
        List<TrainingMetrics> steps = new ArrayList<>();
        Trainer.Result result = Trainer.train(text, Fixtures.tinySpec(cell, 1), TrainingSchedule.iterations(150, 0.1, 150),
                steps::add);
        assertThat(steps.get(steps.size() - 1).trainLoss()).isLessThan(0.3 * steps.get(0).trainLoss());
        assertThat(result.metrics().valBpc()).isLessThan(0.3 * uniformBits);
    }

    @Test
    void sameSeedGivesTheSameLossTrajectoryAndAnotherSeedDoesNot() {
        List<Double> first = losses(7);
        List<Double> again = losses(7);
        List<Double> other = losses(8);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void stopRequestEndsTheRunBetweenSteps() {
        List<TrainingMetrics> steps = new ArrayList<>();
        Trainer.Result result = Trainer.train(text, Fixtures.tinySpec(CellType.LSTM, 1),
                TrainingSchedule.iterations(1000, 0.1, 1000), new Trainer.Monitor() {
                    @Override
                    public void onIteration(TrainingMetrics metrics) {
                        steps.add(metrics);
                    }

                    @Override
                    public boolean stopRequested() {
                        return steps.size() >= 5;
                    }
                });
        assertThat(result.stopped()).isTrue();
        assertThat(result.metrics().iteration()).isEqualTo(5);
    }

    @Test
    void epochsAdvanceAfterEveryStreamIsConsumed() {
        ModelSpec spec = Fixtures.tinySpec(CellType.LSTM, 1);
        int windows = new CharSequenceIterator(text.symbols(), 0, text.trainLength(), text.vocabulary().size(),
                spec.batchSize(), spec.seqLength()).windowsPerEpoch();
        List<TrainingMetrics> steps = new ArrayList<>();
        Trainer.train(text, spec, TrainingSchedule.iterations(windows + 1, 0.1, 1000), steps::add);
        assertThat(steps.get(windows - 1).epoch()).isZero();
        assertThat(steps.get(windows).epoch()).isEqualTo(1);
    }

    @Test
    void carriedStateNetworkKeepsTheRecurrentStateBetweenFitsUntilReset() {
        ModelSpec spec = Fixtures.tinySpec(CellType.LSTM, 1);
        CharSequenceIterator windows = new CharSequenceIterator(text.symbols(), 0, text.trainLength(),
                text.vocabulary().size(), spec.batchSize(), spec.seqLength());
        CarriedStateNetwork carried = new CarriedStateNetwork(NetworkFactory.configuration(spec, text.vocabulary().size()));
        carried.init();
        MultiLayerNetwork stock = NetworkFactory.create(spec, text.vocabulary().size());

        carried.fitContinuing(windows.next());
        stock.fit(windows.next());

        assertThat(carried.rnnGetPreviousState(0)).as("state after a carried fit").isNotEmpty();
        assertThat(stock.rnnGetPreviousState(0)).as("stock DL4J clears it").isEmpty();
        carried.resetState();
        assertThat(carried.rnnGetPreviousState(0)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Optimizer.class)
    void everyOptimizerReducesTheLoss(Optimizer optimizer) {
        double rate = optimizer == Optimizer.SGD ? 1.0 : 0.02;
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 1, 32, 0.0, 16, 4, rate, 1L)
                .withOptimizer(optimizer, new LearningRateDecay(0.5, 100));
        List<TrainingMetrics> steps = new ArrayList<>();
        Trainer.train(text, spec, TrainingSchedule.iterations(150, 0.1, 150), steps::add);
        assertThat(average(steps.subList(140, 150))).isLessThan(0.5 * average(steps.subList(0, 10)));
    }

    @Test
    void aLossThatExplodesFailsTheRunInsteadOfTrainingGarbage() {
        ModelSpec reckless = ModelSpec.of(CellType.RNN, 1, 64, 0.0, 16, 4, 10.0, 1L)
                .withOptimizer(Optimizer.SGD, LearningRateDecay.none())
                .withClipping(new GradientClipping(GradientClipping.Mode.NONE, 1.0));
        assertThatThrownBy(() -> Trainer.train(text, reckless, TrainingSchedule.iterations(300, 0.1, 1000), m -> { }))
                .isInstanceOf(Trainer.DivergedException.class)
                .hasMessageContaining("lower the learning rate");
    }

    @Test
    void anEpochBoundStopsAtTheEndOfThatEpoch() {
        ModelSpec spec = Fixtures.tinySpec(CellType.LSTM, 1);
        int windows = new CharSequenceIterator(text.symbols(), 0, text.trainLength(), text.vocabulary().size(),
                spec.batchSize(), spec.seqLength()).windowsPerEpoch();
        Trainer.Result result = Trainer.train(text, spec,
                new TrainingSchedule(null, 3, null, 0.1, 1000, null, null), m -> { });
        assertThat(result.stopReason()).isEqualTo(Trainer.StopReason.EPOCHS);
        assertThat(result.last().iteration()).isEqualTo(3L * windows);
        assertThat(result.last().progress()).isEqualTo(1.0);
    }

    @Test
    void earlyStoppingEndsTheRunAndTheBestEvaluatedWeightsAreReturned() {
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 1, 32, 0.0, 16, 4, 0.05, 1L);
        Trainer.Result result = Trainer.train(text, spec, new TrainingSchedule(2000, null, null, 0.1, 1, null, 2),
                m -> { });

        assertThat(result.stopReason()).isEqualTo(Trainer.StopReason.EARLY_STOPPING);
        assertThat(result.last().iteration()).isLessThan(2000);
        double bestInHistory = result.history().stream().mapToDouble(TrainingMetrics::valBpc).min().orElseThrow();
        assertThat(result.metrics().valBpc()).isEqualTo(bestInHistory);
        MultiLayerNetwork session = new MultiLayerNetwork(result.network().getLayerWiseConfigurations().clone());
        session.init(result.network().params(), false);
        assertThat(Evaluator.bitsPerChar(session, text, spec.batchSize(), spec.seqLength()))
                .as("the returned weights are the best ones").isCloseTo(bestInHistory, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void aContinuationThatNeverBeatsItsStartingPointKeepsIt() {
        EncodedText tiny = EncodedText.of(Fixtures.wordSoup(2500, 17), 0.2);
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 1, 128, 0.0, 32, 8, 0.01, 1L).withStatsEvery(1000);
        Trainer.Result trained = Trainer.train(tiny, spec, TrainingSchedule.iterations(100, 0.2, 25), m -> { });
        double start = trained.metrics().valBpc();

        List<TrainingMetrics> continued = new ArrayList<>();
        Trainer.Result result = Trainer.resume(trained.network(), tiny, spec, TrainingSchedule.iterations(150, 0.2, 25),
                m -> {
                    if (m.iteration() % 25 == 0) {
                        continued.add(m);
                    }
                });

        assertThat(continued).as("the continuation only overfits").isNotEmpty()
                .allMatch(m -> m.valBpc() > start);
        assertThat(result.metrics().valBpc()).as("the starting point stays the best").isCloseTo(start, within(1e-5));
        assertThat(result.history()).as("not an evaluation of the continuation").noneMatch(m -> m.valBpc() <= start);
        assertThat(Evaluator.bitsPerChar(result.network(), tiny, spec.batchSize(), spec.seqLength()))
                .as("the weights returned are the starting ones").isCloseTo(start, within(1e-5));
    }

    @Test
    void continuingAModelCarriesOnItsLossOptimizerStateAndIterationCount() throws Exception {
        ModelSpec spec = Fixtures.tinySpec(CellType.GRU, 1);
        List<TrainingMetrics> first = new ArrayList<>();
        Trainer.Result result = Trainer.train(text, spec, TrainingSchedule.iterations(60, 0.1, 60), first::add);
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        ModelSerializer.writeModel(result.network(), saved, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(saved.toByteArray()), true);

        List<TrainingMetrics> second = new ArrayList<>();
        Trainer.resume(restored, text, spec, TrainingSchedule.iterations(20, 0.1, 20), second::add);

        assertThat(second.get(0).iteration()).isEqualTo(61);
        assertThat(second.get(second.size() - 1).iteration()).isEqualTo(80);
        assertThat(second.get(0).trainLoss()).as("no restart from the untrained loss %s", first.get(0).trainLoss())
                .isLessThan(0.1 * first.get(0).trainLoss());
    }

    @Test
    void dropoutRegularisesTrainingButNotInference() {
        ModelSpec withDropout = ModelSpec.of(CellType.GRU, 2, 32, 0.5, 16, 4, 0.02, 1L);
        List<Double> dropped = new ArrayList<>();
        Trainer.Result result = Trainer.train(text, withDropout, TrainingSchedule.iterations(100, 0.1, 100),
                m -> dropped.add(m.trainLoss()));
        List<Double> plain = new ArrayList<>();
        Trainer.train(text, ModelSpec.of(CellType.GRU, 2, 32, 0.0, 16, 4, 0.02, 1L),
                TrainingSchedule.iterations(100, 0.1, 100), m -> plain.add(m.trainLoss()));

        assertThat(dropped).isNotEqualTo(plain);
        assertThat(dropped.get(99)).isLessThan(0.5 * dropped.get(0));
        MultiLayerNetwork net = result.network();
        org.nd4j.linalg.api.ndarray.INDArray input = new CharSequenceIterator(text.symbols(), 0, text.trainLength(),
                text.vocabulary().size(), 4, 16).next().getFeatures();
        assertThat(net.output(input)).as("inference is deterministic").isEqualTo(net.output(input));
    }

    private static double average(List<TrainingMetrics> steps) {
        return steps.stream().mapToDouble(TrainingMetrics::trainLoss).average().orElseThrow();
    }

    private List<Double> losses(long seed) {
        List<Double> losses = new ArrayList<>();
        Trainer.train(text, Fixtures.tinySpec(CellType.LSTM, seed), TrainingSchedule.iterations(15, 0.1, 1000),
                m -> losses.add(m.trainLoss()));
        return losses;
    }
}
