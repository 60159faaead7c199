package dev.charrnn.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.corpus.CorpusStore;
import dev.charrnn.model.ModelSpecValidator;
import dev.charrnn.model.ModelStore;
import dev.charrnn.nn.CellType;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.InteractiveRequests;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.system.SseChannels;
import dev.charrnn.train.CheckpointInfo;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.TrainingPosition;
import dev.charrnn.train.TrainingSchedule;

/**
 * A job found RUNNING after a restart becomes INTERRUPTED and resumes from its checkpoint: the
 * iteration count, the data position and the evaluation history carry on.
 */
class JobRecoveryTest {

    @TempDir
    Path root;

    private CharRnnProperties properties;
    private CorpusStore corpora;
    private ModelStore models;
    private String corpusId;

    @BeforeEach
    void stores() {
        properties = TestSupport.properties(root);
        corpora = new CorpusStore(properties, TestSupport.json());
        models = new ModelStore(properties, TestSupport.json());
        corpusId = corpora.store("pattern", Fixtures.repeatedSentence(60).getBytes()).id();
    }

    @Test
    void anInterruptedJobResumesFromItsCheckpoint() {
        TrainingRequest request = TrainingRequest.of(corpusId, "recovered", Fixtures.tinySpec(CellType.GRU, 1),
                new TrainingSchedule(100, null, null, 0.1, 20, 30, null)).resolved(corpusId, "recovered",
                Fixtures.tinySpec(CellType.GRU, 1));

        // what a crashed service leaves behind: a RUNNING record and a checkpoint at iteration 30
        List<TrainingMetrics> before = new ArrayList<>();
        TrainingPosition[] checkpoint = new TrainingPosition[1];
        dev.charrnn.text.EncodedText text = dev.charrnn.text.EncodedText.of(Fixtures.repeatedSentence(60), 0.1);
        Trainer.train(text, request.spec(), new TrainingSchedule(45, null, null, 0.1, 20, 30, null), new Trainer.Monitor() {
            @Override
            public void onIteration(TrainingMetrics metrics) {
                before.add(metrics);
            }

            @Override
            public void onCheckpoint(org.deeplearning4j.nn.multilayer.MultiLayerNetwork network, TrainingPosition position) {
                if (position.iteration() == 30) {
                    checkpoint[0] = position;
                    models.saveCheckpoint("recovered", network,
                            TestSupport.json().writeValueAsString(new CheckpointInfo("job1", position)));
                }
            }
        });
        TrainingMetrics bestBeyondTheCheckpoint = before.get(39); // iteration 40, evaluated: lost with the crash
        new JobStore(properties, TestSupport.json()).save(new JobRecord("job1", request, JobState.RUNNING,
                before.get(39), Instant.now(), Instant.now(), null, null, bestBeyondTheCheckpoint));

        TrainingService restarted = service(properties, corpora, models);
        assertThat(restarted.get("job1").state()).isEqualTo(JobState.INTERRUPTED);
        assertThat(restarted.get("job1").view().error()).contains("/resume");
        assertThatThrownBy(() -> restarted.cancel("job1")).isInstanceOf(ApiException.class);

        List<Long> iterations = new ArrayList<>();
        restarted.resume("job1");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
            JobView view = restarted.get("job1").view();
            iterations.add(view.iteration());
            if (view.iteration() > 30) {
                assertThat(view.bestIteration() == null || view.bestIteration() <= view.iteration())
                        .as("the best is one the replayed run holds, not iteration 40 of the lost one").isTrue();
            }
            return view.state() == JobState.SUCCEEDED;
        });

        assertThat(iterations.stream().filter(i -> i > 0).findFirst().orElseThrow()).isGreaterThan(30);
        assertThat(restarted.get("job1").view().iteration()).isEqualTo(100);
        var metadata = models.metadata("recovered");
        assertThat(metadata.history()).extracting(TrainingMetrics::iteration).containsExactly(20L, 40L, 60L, 80L, 100L);
        assertThat(metadata.history().get(0).valBpc()).as("history before the crash is kept")
                .isEqualTo(checkpoint[0].history().get(0).valBpc());
        assertThat(service(properties, corpora, models).get("job1").state()).as("the end state was persisted")
                .isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aCancelledJobResumesFromTheStepItReached() {
        TrainingService service = service(properties, corpora, models);
        String id = service.submit(TrainingRequest.of(corpusId, "cancelled", Fixtures.tinySpec(CellType.LSTM, 1),
                new TrainingSchedule(1_000_000, null, null, 0.1, 20, 1_000_000, null))).id();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> service.get(id).view().iteration() > 50);
        service.cancel(id);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> service.get(id).state() == JobState.CANCELLED);
        long reached = service.get(id).view().iteration();

        List<Long> iterations = new ArrayList<>();
        service.resume(id);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
            iterations.add(service.get(id).view().iteration());
            return iterations.get(iterations.size() - 1) > reached + 40;
        });
        service.cancel(id);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> service.get(id).state() == JobState.CANCELLED);

        assertThat(iterations).as("no checkpoint was due, yet the resume starts at the cancelled step, not from 0")
                .allMatch(iteration -> iteration >= reached);
    }

    private static TrainingService service(CharRnnProperties properties, CorpusStore corpora, ModelStore models) {
        TrainingService service = new TrainingService(corpora, models, new ModelSpecValidator(properties), properties,
                new Nd4jRuntime(properties), new JobStore(properties, TestSupport.json()), TestSupport.json(),
                new SparkTrainer(properties, TestSupport.json()), new SseChannels(properties), new InteractiveRequests(properties));
        service.restoreJobs();
        return service;
    }
}
