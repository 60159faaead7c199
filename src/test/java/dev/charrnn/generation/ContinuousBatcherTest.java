package dev.charrnn.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.model.LoadedModel;
import dev.charrnn.model.ModelStore;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.sample.Sampler;
import dev.charrnn.sample.SamplingParams;

class ContinuousBatcherTest {

    @TempDir
    static Path root;

    private static LoadedModel model;
    private static long[] counts;
    private static final ExecutorService decoder = Executors.newCachedThreadPool();
    /** A second thread sharing each step's rows, as the service runs (the solo reference runs on one). */
    private static final Gang gang = new Gang(2, "test-step");

    @BeforeAll
    static void loadTrainedModel() {
        ModelStore store = new ModelStore(TestSupport.properties(root), TestSupport.json());
        TestSupport.savePatternModel(store, "pattern");
        model = store.load("pattern");
        counts = model.metadata().charCounts().stream().mapToLong(Long::longValue).toArray();
    }

    @AfterAll
    static void stop() {
        decoder.shutdownNow();
        gang.close();
    }

    @Test
    void aLoneRequestGetsExactlyWhatTheSamplerGives() {
        ContinuousBatcher batcher = new ContinuousBatcher(model, decoder, gang);
        for (SamplingParams params : List.of(
                new SamplingParams("the ", 80, 1.0, null, null, 4, List.of(), 1, true),
                new SamplingParams("", 50, 0.8, 5, 0.9, 5, List.of("mat"), 3, false),
                new SamplingParams("the cat", 1, 0.0, null, null, 6, List.of(), 2, false))) {
            List<Sampler.Sample> batched = batcher.submit(params, (i, t) -> { }).join();
            assertThat(batched).isEqualTo(Sampler.sample(model.inference(), model.vocabulary(), counts, params,
                    (i, t) -> { }));
        }
        assertThat(batcher.largestBatch()).isLessThanOrEqualTo(3);
    }

    @Test
    void concurrentRequestsShareStepsAndKeepTheirOwnText() {
        ContinuousBatcher batcher = new ContinuousBatcher(model, decoder, gang);
        List<SamplingParams> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String prime = Fixtures.SENTENCE.repeat(2).substring(i, i + 3);
            requests.add(new SamplingParams(prime, 40 + 5 * i, 1.0, i % 4 == 1 ? 5 : null, null, i, i % 3 == 0 ? List.of("on") : List.of(),
                    1 + i % 2, false));
        }
        List<CompletableFuture<List<Sampler.Sample>>> futures = new ArrayList<>();
        requests.forEach(r -> futures.add(batcher.submit(r, (i, t) -> { })));

        for (int i = 0; i < requests.size(); i++) {
            assertThat(futures.get(i).join()).as("request %s", i).isEqualTo(Sampler.sample(model.inference(),
                    model.vocabulary(), counts, requests.get(i), (s, t) -> { }));
        }
        assertThat(batcher.largestBatch()).as("requests were batched").isGreaterThan(2);
    }

    @Test
    void aCancelledRequestLeavesAndTheOthersFinish() {
        ContinuousBatcher batcher = new ContinuousBatcher(model, decoder, gang);
        StringBuilder seen = new StringBuilder();
        CompletableFuture<List<Sampler.Sample>> cancelled = batcher.submit(SamplingParams.simple("the", 5000, 1.0, 1),
                new Sampler.Listener() {
                    @Override
                    public void onText(int sample, String text) {
                        seen.append(text);
                    }

                    @Override
                    public boolean cancelled() {
                        return seen.length() >= 10;
                    }
                });
        CompletableFuture<List<Sampler.Sample>> other = batcher.submit(SamplingParams.simple("the", 30, 0.0, 1), (i, t) -> { });

        assertThat(cancelled.join().get(0).finishReason()).isEqualTo("cancelled");
        assertThat(other.join().get(0).text()).hasSize(30);
    }
}
