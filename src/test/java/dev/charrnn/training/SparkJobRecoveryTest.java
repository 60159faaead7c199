package dev.charrnn.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;

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
import dev.charrnn.train.SparkOptions;
import dev.charrnn.train.SparkTrainingMaster;
import dev.charrnn.train.TrainingEngine;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.TrainingSchedule;

/**
 * A Spark job found RUNNING after a restart comes back INTERRUPTED like a local one, says that
 * resuming submits it again, and resuming re-checks the Spark settings of the restarted service.
 */
class SparkJobRecoveryTest {

    @TempDir
    Path root;

    @Test
    void anInterruptedSparkJobIsResumedOnlyWhenSparkIsConfigured() {
        CharRnnProperties properties = TestSupport.properties(root);
        CorpusStore corpora = new CorpusStore(properties, TestSupport.json());
        String corpusId = corpora.store("pattern", Fixtures.repeatedSentence(60).getBytes()).id();
        TrainingSchedule schedule = new TrainingSchedule(null, 2, null, 0.1, null, null, null, TrainingEngine.SPARK,
                new SparkOptions("local[2]", null, null, SparkTrainingMaster.SHARED_GRADIENTS, null, null));
        TrainingRequest request = TrainingRequest.of(corpusId, "on-spark", Fixtures.tinySpec(CellType.LSTM, 1),
                schedule);
        JobStore store = new JobStore(properties, TestSupport.json());
        store.save(new JobRecord("spark1", request, JobState.RUNNING, new TrainingMetrics(40, 1, 2.1, 3.0, 8.0, null,
                null, 0.5), Instant.now(), Instant.now(), null, null));

        TrainingService restarted = new TrainingService(corpora, new ModelStore(properties, TestSupport.json()),
                new ModelSpecValidator(properties), properties, new Nd4jRuntime(properties), store, TestSupport.json(),
                new SparkTrainer(properties, TestSupport.json()), new SseChannels(properties), new InteractiveRequests(properties));
        restarted.restoreJobs();

        JobView view = restarted.get("spark1").view();
        assertThat(view.state()).isEqualTo(JobState.INTERRUPTED);
        assertThat(view.epoch()).isEqualTo(1);
        assertThat(view.error()).contains("submits it to Spark again, from the start");
        assertThat(view.schedule().engine()).isEqualTo(TrainingEngine.SPARK);
        assertThat(view.schedule().spark().trainingMaster()).isEqualTo(SparkTrainingMaster.SHARED_GRADIENTS);
        assertThatThrownBy(() -> restarted.resume("spark1")).isInstanceOf(ApiException.class)
                .hasMessageContaining("charrnn.spark.home");
        assertThat(restarted.get("spark1").state()).as("still resumable once Spark is configured")
                .isEqualTo(JobState.INTERRUPTED);
    }
}
