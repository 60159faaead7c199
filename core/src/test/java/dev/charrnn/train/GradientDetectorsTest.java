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
    void saturationAlertsOnAVanillaRnnsUnitsNotOnAGatedCellsCandidate() {
        GradientDetectors detectors = new GradientDetectors();
        GradientStats gated = stats(10, 1.0, 0, -3.0).withCells(List.of(), List.of(
                new SaturationStats(0, "g", "tanh", 0.3, 0.4, 0.7, 0.0),
                new SaturationStats(0, "f", "sigmoid", 0.0, 0.9, 0.9, 0.95)));
        assertThat(detectors.onGradients(gated)).isEmpty();
        GradientStats rnn = stats(20, 1.0, 0, -3.0).withCells(List.of(), List.of(
                new SaturationStats(1, "h", "tanh", 0.3, 0.25, 0.55, 0.0)));
        assertThat(detectors.onGradients(rnn)).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Alert.Kind.SATURATED);
            assertThat(a.layer()).isOne();
            assertThat(a.seen()).contains("55%");
        });
        GradientStats halfway = stats(20 + GradientDetectors.QUIET, 1.0, 0, -3.0).withCells(List.of(), List.of(
                new SaturationStats(1, "h", "tanh", 0.2, 0.25, 0.45, 0.0)));
        assertThat(detectors.onGradients(halfway)).as("less than half").isEmpty();
    }

    @Test
    void overfittingIsValidationRisingThreeTimesInARowWhileTheTrainingLossFalls() {
        GradientDetectors detectors = new GradientDetectors();
        double[] validation = {3.0, 2.5, 2.2, 2.3, 2.4, 2.6};
        List<Alert> alerts = new ArrayList<>();
        for (int e = 0; e < validation.length; e++) {
            for (int i = 0; i < 10; i++) {
                detectors.onLoss(e * 10L + i, 2.0 - 0.1 * e); // falling
            }
            alerts.addAll(detectors.onValidation(e * 10L + 10, validation[e]));
            assertThat(alerts).as("after evaluation %d", e).hasSize(e < validation.length - 1 ? 0 : 1);
        }
        Alert overfitting = alerts.get(0);
        assertThat(overfitting.kind()).isEqualTo(Alert.Kind.OVERFITTING);
        assertThat(overfitting.iteration()).isEqualTo(60);
        assertThat(overfitting.seen()).contains("best was 2.200 at iteration 30", "from 2.200 to 2.600");
        assertThat(overfitting.advice()).contains("saved model is the best one (iteration 30)", "patience", "dropout",
                "bigger corpus", "smaller model");
        assertThat(new GradientDetectors(false).onValidation(1, 2.0)).isEmpty();

        GradientDetectors flatLoss = new GradientDetectors(false);
        for (int e = 0; e < validation.length; e++) {
            flatLoss.onLoss(e, 2.0);
            assertThat(flatLoss.onValidation(e, validation[e])).as("the training loss did not fall").isEmpty();
        }
    }

    @Test
    void overfittingIsSaidOncePerBestAndAgainAfterANewBest() {
        GradientDetectors detectors = new GradientDetectors();
        double[] validation = {3.0, 2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 1.9, 2.0, 2.1, 2.2};
        List<Alert> alerts = new ArrayList<>();
        for (int e = 0; e < validation.length; e++) {
            for (int i = 0; i < 100; i++) {
                detectors.onLoss(e * 100L + i, 2.0 / (e + 1)); // falling, to a few thousandths
            }
            alerts.addAll(detectors.onValidation(e * 100L + 100, validation[e]));
        }
        assertThat(alerts).extracting(Alert::iteration).as("the rises past 2.0, then past 1.9").containsExactly(500L, 1300L);
        assertThat(alerts.get(0).seen()).contains("best was 2.000 at iteration 200");
        assertThat(alerts.get(1).seen()).contains("best was 1.900 at iteration 1000", "fell from 0.200 to 0.154 nats/char");
    }

    @Test
    void aTinyCorpusTrainedFarPastItsBestRaisesOverfitting() {
        EncodedText tiny = EncodedText.of(Fixtures.wordSoup(2500, 17), 0.2);
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 1, 128, 0.0, 32, 8, 0.01, 1L).withStatsEvery(1000);
        List<Alert> alerts = new ArrayList<>();
        List<TrainingMetrics> evaluations = new ArrayList<>();
        Trainer.Result result = Trainer.train(tiny, spec, TrainingSchedule.iterations(300, 0.2, 25),
                detectingInto(new GradientDetectors(), alerts, evaluations));

        System.out.println("validation bpc: " + evaluations.stream().map(m -> String.format("%d:%.2f", m.iteration(),
                m.valBpc())).toList());
        assertThat(result.last().valBpc()).as("trained past its best").isGreaterThan(result.metrics().valBpc() + 0.2);
        assertThat(alerts).extracting(Alert::kind).contains(Alert.Kind.OVERFITTING);
        Alert first = alerts.stream().filter(a -> a.kind() == Alert.Kind.OVERFITTING).findFirst().orElseThrow();
        assertThat(first.seen()).contains("best was");
        assertThat(first.iteration()).isGreaterThan(result.metrics().iteration());
    }


    @Test
    void underGlobalClippingOnlyASpikePastTheThresholdIsExploding() {
        GradientDetectors detectors = new GradientDetectors(true, 5.0);
        assertThat(spikeAfterSteadyNorms(detectors, 0.02, 0.3)).as("15x, but under the threshold").isEmpty();
        GradientStats past = new GradientStats(14, 50.0, 5.0, true, 1, stats(14, 50.0, 0, -3.0).params());
        List<Alert> alerts = detectors.onGradients(past);
        assertThat(alerts).extracting(Alert::kind).containsExactly(Alert.Kind.EXPLODING);
        assertThat(alerts.get(0).advice()).startsWith("clipping caught it");
        assertThat(spikeAfterSteadyNorms(new GradientDetectors(true), 0.02, 0.3)).as("without clipping it is one")
                .extracting(Alert::kind).containsExactly(Alert.Kind.EXPLODING);
    }

    /** Twelve recordings at {@code steady}, then one at {@code spike}: what the spike raises. */
    private static List<Alert> spikeAfterSteadyNorms(GradientDetectors detectors, double steady, double spike) {
        for (int i = 1; i <= 12; i++) {
            assertThat(detectors.onGradients(stats(i, steady, 0, -3.0))).isEmpty();
        }
        return detectors.onGradients(stats(13, spike, 0, -3.0));
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
        Trainer.train(Fixtures.patternText(), spec, TrainingSchedule.iterations(iterations, 0.1, 50),
                detectingInto(new GradientDetectors(), alerts, new ArrayList<>()));
    }

    /** Feeds every detector as a training job does: each loss, each new validation figure, statistics, flow. */
    private static Trainer.Monitor detectingInto(GradientDetectors detectors, List<Alert> alerts,
                                                 List<TrainingMetrics> evaluations) {
        return new Trainer.Monitor() {
            @Override
            public void onIteration(TrainingMetrics metrics) {
                alerts.addAll(detectors.onLoss(metrics.iteration(), metrics.trainLoss()));
                Double previous = evaluations.isEmpty() ? null : evaluations.get(evaluations.size() - 1).valBpc();
                if (metrics.valBpc() != null && !metrics.valBpc().equals(previous)) {
                    evaluations.add(metrics);
                    alerts.addAll(detectors.onValidation(metrics.iteration(), metrics.valBpc()));
                }
            }

            @Override
            public void onGradients(GradientStats stats) {
                alerts.addAll(detectors.onGradients(stats));
            }

            @Override
            public void onFlow(long iteration, GradientFlowProbe.Flow flow) {
                alerts.addAll(detectors.onFlow(iteration, flow.norms().length, flow.firstToLastRatio()));
            }
        };
    }

    private static GradientStats stats(long iteration, double norm, long nonFinite, double ratio) {
        return new GradientStats(iteration, norm, norm, false, 1, List.of(
                new ParamStats(0, "W", norm, norm, 0.1, 0.2, nonFinite, ratio),
                new ParamStats(0, "RW:u", norm, norm, 0.1, 0.2, 0, ratio),
                new ParamStats(0, "b", norm, norm, 0.1, 0.2, 0, 2.0)));
    }
}
