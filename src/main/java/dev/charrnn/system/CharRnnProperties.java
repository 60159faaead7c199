package dev.charrnn.system;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** Every tunable and every limit of the service, bound from {@code charrnn.*}. */
@ConfigurationProperties("charrnn")
public record CharRnnProperties(
        @DefaultValue Storage storage,
        @DefaultValue Limits limits,
        @DefaultValue Compute compute,
        @DefaultValue Generation generation,
        @DefaultValue Security security,
        @DefaultValue Jobs jobs) {

    public record Storage(
            @DefaultValue("corpora") Path corporaDir,
            @DefaultValue("models") Path modelsDir) {
    }

    public record Limits(
            @DefaultValue("50MB") DataSize maxCorpusSize,
            @DefaultValue("2000") int maxVocabularySize,
            @DefaultValue("4") int maxLayers,
            @DefaultValue("1024") int maxHiddenSize,
            @DefaultValue("1000") int maxSeqLength,
            @DefaultValue("512") int maxBatchSize,
            @DefaultValue("1000000") int maxIterations,
            @DefaultValue("10000") int maxGenerateLength,
            @DefaultValue("8") int maxConcurrentGenerations,
            @DefaultValue("16") int maxSamples,
            @DefaultValue("100000") int maxScoreLength,
            @DefaultValue("2GB") DataSize modelCacheSize,
            @DefaultValue("1GB") DataSize maxModelImportSize,
            @DefaultValue("16") int maxQueuedJobs,
            @DefaultValue("50000000") long maxParameters,
            @DefaultValue("5m") java.time.Duration generationTimeout) {
    }

    /**
     * Optional API key. When set, requests that change something (upload, train, cancel, delete,
     * import) need it as {@code Authorization: Bearer <key>} or {@code X-API-Key}; with
     * {@code protect-reads} every /api request does.
     */
    public record Security(@DefaultValue("") String apiKey, @DefaultValue("false") boolean protectReads) {

        public boolean enabled() {
            return apiKey != null && !apiKey.isBlank();
        }
    }

    /**
     * Training jobs: how many train at once (1 per device: two jobs on one device only share its
     * cores) and whether the ones a restart interrupted resume without being asked.
     */
    public record Jobs(@DefaultValue("1") int concurrency, @DefaultValue("false") boolean autoResume) {
    }

    /**
     * Generation. Concurrent requests on one model advance together, one step for all their
     * streams; {@code stepThreads} threads share a step's rows (0: one per core).
     */
    public record Generation(@DefaultValue("0") int stepThreads) {

        /** The thread count in effect. */
        public int threads() {
            return stepThreads > 0 ? stepThreads : Runtime.getRuntime().availableProcessors();
        }
    }

    /**
     * ND4J threading. On small recurrent matrices one OpenMP thread per op beats several
     * (measured 2.5-3x on 2 cores for LSTM training), so the default is 1; 0 keeps ND4J's choice.
     */
    public record Compute(@DefaultValue("1") int ompThreads) {
    }
}
