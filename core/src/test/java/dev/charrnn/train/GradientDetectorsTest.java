package dev.charrnn.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.charrnn.Fixtures;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.GradientClipping;
import dev.charrnn.nn.LearningRateDecay;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.Optimizer;
import dev.charrnn.text.EncodedText;

class GradientDetectorsTest {

    @Test
    void eachDetectorFiresOnItsSymptomAndSaysWhereAndWhatToTry() {
        GradientDetectors detectors = new GradientDetectors();
        for (int i = 1; i <= 12; i++) {
            assertThat(detectors.onGradients(stats(i, 1.0, 0, -3.0))).isEmpty();
        }
        List<Alert> spike = detectors.onGradients(stats(13, 50.0, 0, -3.0));
        assertThat(spike).extracting(Alert::kind).containsExactly(Alert.Kind.EXPLODING);
        assertThat(spike.get(0).seen()).contains("50x");
        assertThat(spike.get(0).advice()).contains("clipping");

        assertThat(detectors.onGradients(stats(14, 1.0, 3, -3.0))).extracting(Alert::kind).containsExactly(Alert.Kind.NON_FINITE);
        List<Alert> stalled = detectors.onGradients(stats(15, 1.0, 0, -6.0));
        assertThat(stalled).extracting(Alert::kind).containsOnly(Alert.Kind.STALLED_UPDATES);
        assertThat(stalled).extracting(Alert::param).contains("W", "RW:u").doesNotContain("b");
        assertThat(stalled.get(0).layer()).isZero();
        assertThat(detectors.onGradients(stats(16, 1.0, 0, -0.5))).extracting(Alert::kind).containsOnly(Alert.Kind.LARGE_UPDATES);
        assertThat(detectors.onGradients(stats(17, 1.0, 0, -0.5))).as("not repeated within the quiet period").isEmpty();
        assertThat(detectors.onGradients(stats(17 + GradientDetectors.QUIET, 1.0, 0, -0.5))).isNotEmpty();

        for (int i = 1; i <= 12; i++) {
            assertThat(detectors.onLoss(i, 2.0)).isEmpty();
        }
        assertThat(detectors.onLoss(13, 5.0)).extracting(Alert::kind).containsExactly(Alert.Kind.LOSS_JUMP);
        assertThat(detectors.onFlow(20, 100, 1e-9)).extracting(Alert::kind).containsExactly(Alert.Kind.VANISHING);
        assertThat(detectors.onFlow(20, 100, 1e-2)).isEmpty();
    }

    @Test
    void aHealthyRunStaysSilent() {
        List<Alert> alerts = run(ModelSpec.of(CellType.LSTM, 1, 32, 0.0, 16, 4, 0.003, 1L).withStatsEvery(5), 200);
        assertThat(alerts).isEmpty();
    }

    @Test
    void aRunMadeToExplodeRaisesAlertsBeforeItFails() {
        ModelSpec reckless = ModelSpec.of(CellType.RNN, 1, 64, 0.0, 16, 4, 10.0, 1L).withStatsEvery(1)
                .withOptimizer(Optimizer.SGD, LearningRateDecay.none())
                .withClipping(new GradientClipping(GradientClipping.Mode.NONE, 1.0));
        List<Alert> alerts = new ArrayList<>();
        Throwable failure = catchThrowable(() -> runInto(reckless, 300, alerts));
        assertThat(failure).isInstanceOf(Trainer.DivergedException.class);
        assertThat(alerts).extracting(Alert::kind).containsAnyOf(Alert.Kind.EXPLODING, Alert.Kind.NON_FINITE,
                Alert.Kind.LOSS_JUMP, Alert.Kind.LARGE_UPDATES);
    }

    private static List<Alert> run(ModelSpec spec, int iterations) {
        List<Alert> alerts = new ArrayList<>();
        runInto(spec, iterations, alerts);
        return alerts;
    }

    private static void runInto(ModelSpec spec, int iterations, List<Alert> alerts) {
        GradientDetectors detectors = new GradientDetectors();
        EncodedText text = Fixtures.patternText();
        Trainer.train(text, spec, TrainingSchedule.iterations(iterations, 0.1, 50), new Trainer.Monitor() {
            @Override
            public void onIteration(TrainingMetrics metrics) {
                alerts.addAll(detectors.onLoss(metrics.iteration(), metrics.trainLoss()));
            }

            @Override
            public void onGradients(GradientStats stats) {
                alerts.addAll(detectors.onGradients(stats));
            }

            @Override
            public void onFlow(long iteration, GradientFlowProbe.Flow flow) {
                alerts.addAll(detectors.onFlow(iteration, flow.norms().length, flow.firstToLastRatio()));
            }
        });
    }

    private static GradientStats stats(long iteration, double norm, long nonFinite, double ratio) {
        return new GradientStats(iteration, norm, norm, false, 1, List.of(
                new ParamStats(0, "W", norm, norm, 0.1, 0.2, nonFinite, ratio),
                new ParamStats(0, "RW:u", norm, norm, 0.1, 0.2, 0, ratio),
                new ParamStats(0, "b", norm, norm, 0.1, 0.2, 0, 2.0)));
    }
}
