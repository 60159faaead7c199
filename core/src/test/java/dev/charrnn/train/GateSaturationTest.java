package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.text.EncodedText;

/** Gate saturation as training records it, every statsEvery iterations on validation windows. */
class GateSaturationTest {

    private static final EncodedText TEXT = EncodedText.of(RecurrentSpectrumTest.randomText(4000, 5), 0.2);

    @ParameterizedTest
    @EnumSource(CellType.class)
    void fractionsAreFractionsForEveryGateOfEveryLayer(CellType cell) {
        ModelSpec spec = ModelSpec.of(cell, 2, 24, 0.0, 16, 4, 0.01, 1L).withStatsEvery(5);
        List<GradientStats> stats = train(NetworkFactory.create(spec, TEXT.vocabulary().size()), spec, 10,
                new ArrayList<>());

        List<String> gates = switch (cell) {
            case LSTM -> List.of("i", "f", "g", "o");
            case GRU -> List.of("r", "u", "c");
            case RNN -> List.of("h");
        };
        assertThat(stats).hasSize(2);
        for (GradientStats point : stats) {
            assertThat(point.saturation()).extracting(SaturationStats::gate).containsExactlyElementsOf(
                    concat(gates, gates));
            assertThat(point.saturation()).extracting(SaturationStats::layer).containsOnly(0, 1);
            assertThat(point.saturation()).allSatisfy(s -> {
                assertThat(s.left()).isBetween(0.0, 1.0);
                assertThat(s.right()).isBetween(0.0, 1.0);
                assertThat(s.left() + s.right()).isLessThanOrEqualTo(1.0);
                assertThat(s.saturated()).isEqualTo(s.left() + s.right());
                assertThat(s.activation()).isEqualTo(List.of("g", "c", "h").contains(s.gate()) ? "tanh" : "sigmoid");
                assertThat(s.mean()).isBetween(s.activation().equals("tanh") ? -1.0 : 0.0, 1.0);
            });
            assertThat(point.spectrum()).hasSize(2 * gates.size());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTanhRnnInitialisedTenTimesTooLargeIsMostlySaturatedAndTheAlertFires(boolean tenTimes) {
        ModelSpec spec = ModelSpec.of(CellType.RNN, 1, 64, 0.0, 16, 4, 0.002, 1L).withStatsEvery(5);
        MultiLayerNetwork net = NetworkFactory.create(spec, TEXT.vocabulary().size());
        if (tenTimes) {
            net.params().muli(10);
        }
        List<Alert> alerts = new ArrayList<>();
        List<GradientStats> stats = train(net, spec, 20, alerts);

        double saturated = stats.get(stats.size() - 1).saturation().get(0).saturated();
        System.out.printf("RNN saturated fraction, init x%d: %.3f%n", tenTimes ? 10 : 1, saturated);
        if (tenTimes) {
            assertThat(saturated).isGreaterThan(GradientDetectors.SATURATED_FRACTION);
            assertThat(alerts).filteredOn(a -> a.kind() == Alert.Kind.SATURATED).singleElement().satisfies(a -> {
                assertThat(a.layer()).isZero();
                assertThat(a.param()).isEqualTo("h");
                assertThat(a.seen()).contains("tanh");
                assertThat(a.advice()).contains("learning rate", "init", "clip", "LSTM");
            });
        } else {
            assertThat(saturated).isLessThan(0.2);
            assertThat(alerts).noneMatch(a -> a.kind() == Alert.Kind.SATURATED);
        }
    }

    /** Continues {@code net} for {@code iterations}, feeding the statistics to the detectors as a job does. */
    private static List<GradientStats> train(MultiLayerNetwork net, ModelSpec spec, int iterations, List<Alert> alerts) {
        List<GradientStats> stats = new ArrayList<>();
        GradientDetectors detectors = new GradientDetectors();
        Trainer.resume(net, TEXT, spec, TrainingSchedule.iterations(iterations, 0.2, 1000), new Trainer.Monitor() {
            @Override
            public void onIteration(TrainingMetrics metrics) {
            }

            @Override
            public void onGradients(GradientStats point) {
                stats.add(point);
                alerts.addAll(detectors.onGradients(point));
            }
        });
        return stats;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
