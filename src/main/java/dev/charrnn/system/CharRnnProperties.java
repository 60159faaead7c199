package dev.charrnn.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import dev.charrnn.nn.Compute;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.train.SparkTrainingMaster;

/** Every tunable and every limit of the service, bound from {@code charrnn.*}. */
@ConfigurationProperties("charrnn")
public record CharRnnProperties(
        @DefaultValue Storage storage,
        @DefaultValue Limits limits,
        @DefaultValue Compute compute,
        @DefaultValue Generation generation,
        @DefaultValue Security security,
        @DefaultValue Jobs jobs,
        @DefaultValue Events events,
        @DefaultValue Spark spark) {

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
            @DefaultValue("5m") Duration generationTimeout,
            @DefaultValue("5000") int maxActivationLength,
            @DefaultValue("64") int maxActivationUnits) {
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
     * cores), whether the ones a restart interrupted resume without being asked, how long a
     * stopping service waits for running jobs to checkpoint their last step, and whether training
     * pauses between steps while generation requests run (see InteractiveRequests).
     */
    public record Jobs(@DefaultValue("1") int concurrency, @DefaultValue("false") boolean autoResume,
                       @DefaultValue("20s") Duration shutdownTimeout,
                       @DefaultValue("true") boolean yieldToGeneration) {
    }

    /**
     * Server-Sent Events subscribers (job events, streamed generation). Each has a queue of
     * {@code subscriberBuffer} droppable events (progress is coalesced to the latest; alerts, the end
     * of a job and generated text are never dropped); one whose write stays blocked past
     * {@code stallTimeout} is closed, so a client that stops reading never slows training or decoding.
     */
    public record Events(@DefaultValue("256") int subscriberBuffer,
                         @DefaultValue("30s") Duration stallTimeout) {
    }

    /**
     * Generation. Concurrent requests on one model advance together, one step for all their
     * streams; {@code stepThreads} threads split each layer of a step by units (0: one per core).
     */
    public record Generation(@DefaultValue("0") int stepThreads) {

        /** The thread count in effect. */
        public int threads() {
            return stepThreads > 0 ? stepThreads : Runtime.getRuntime().availableProcessors();
        }
    }

    /**
     * Threading. {@code stepThreads}: threads that share each pass of the recurrent layers (0: one
     * per core); each runs every step for its own batch rows, with their products and cell math,
     * so the products run single-threaded. {@code blasThreads}: threads of one OpenBLAS product
     * (the layers' own and DL4J's), 1 since the step threads already fill the cores.
     * {@code ompThreads}: threads of ND4J's own ops; on these small arrays more are no faster, so 1
     * (0: ND4J's choice).
     * {@code layerPath}: how the layers compute training, validation, scoring and the flow probe
     * (see {@link LayerPath}); {@code auto} is the host path on the CPU backend, the ops path on a GPU.
     */
    public record Compute(@DefaultValue("1") int ompThreads, @DefaultValue("1") int blasThreads,
                          @DefaultValue("0") int stepThreads, @DefaultValue("auto") LayerPath layerPath) {

        /** The step thread count in effect. */
        public int stepThreadCount() {
            return stepThreads > 0 ? stepThreads : Runtime.getRuntime().availableProcessors();
        }

        /** The BLAS thread count in effect. */
        public int blasThreadCount() {
            return blasThreads > 0 ? blasThreads : Runtime.getRuntime().availableProcessors();
        }
    }

    /**
     * Training on Spark (schedule.engine "spark"): needs {@code home} (a Spark 3.5 installation on this
     * host) and {@code jobJar} (trainer-spark's -job.jar). Each run gets a folder under {@code runsDir},
     * which the driver and executors must reach at {@code runsUri} (default: runsDir itself, enough for
     * local[N]); on a cluster runsDir is this host's mount of shared storage that the cluster names
     * runsUri. {@code conf} is passed to spark-submit as --conf entries. A request may name another
     * installation only from {@code otherHomes}: the service runs that home's bin/spark-submit.
     */
    public record Spark(
            @DefaultValue("") String home,
            List<String> otherHomes,
            @DefaultValue("") String jobJar,
            @DefaultValue("local[2]") String master,
            @DefaultValue("2") int executors,
            @DefaultValue("1") int executorCores,
            @DefaultValue("2g") String executorMemory,
            @DefaultValue("2g") String driverMemory,
            @DefaultValue("parameter-averaging") SparkTrainingMaster trainingMaster,
            @DefaultValue("spark-runs") Path runsDir,
            @DefaultValue("") String runsUri,
            @DefaultValue("") String exportDirectory,
            @DefaultValue("") String networkMask,
            Map<String, String> conf,
            List<String> corpusRoots,
            @DefaultValue("32MB") DataSize corpusSplitSize,
            @DefaultValue("1000000") long maxValidationChars) {

        public Spark {
            otherHomes = otherHomes == null ? List.of() : List.copyOf(otherHomes);
            corpusRoots = corpusRoots == null ? List.of() : List.copyOf(corpusRoots);
            conf = conf == null ? Map.of() : Map.copyOf(conf);
        }

        /** Nothing configured: engine "spark" is refused until home and jobJar are set. */
        public static Spark unconfigured() {
            return new Spark("", null, "", "local[2]", 2, 1, "2g", "2g",
                    SparkTrainingMaster.PARAMETER_AVERAGING, Path.of("spark-runs"), "", "",
                    "", null, null, DataSize.ofMegabytes(32), 1_000_000);
        }
    }
}
