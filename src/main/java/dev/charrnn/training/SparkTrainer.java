package dev.charrnn.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.spark.launcher.SparkAppHandle;
import org.apache.spark.launcher.SparkLauncher;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.AtomicFiles;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.train.SparkOptions;
import dev.charrnn.train.SparkTrainingMaster;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingEngine;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.TrainingOutcome;
import dev.charrnn.train.TrainingSchedule;
import dev.charrnn.train.spark.SparkRunFiles;
import dev.charrnn.train.spark.SparkRunProgress;
import dev.charrnn.train.spark.SparkRunSpec;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a training job as a Spark application: writes the run folder (corpus and spec), submits
 * trainer-spark's job jar with {@link SparkLauncher}, relays each finished epoch to the job's
 * monitor, and takes the model back only when the job published it ({@code _SUCCESS}), it loads,
 * and its validation loss is finite. The launcher's own FINISHED is not evidence: it reports
 * FINISHED when the driver's main threw.
 */
@Component
public class SparkTrainer {

    /** SharedTrainingMaster's Aeron client times out at 30 s; the publication timeout must exceed it. */
    static final String AERON_OPTIONS = "-Daeron.publication.unblock.timeout=60000000000";
    private static final long POLL_MILLIS = 500;
    private static final int LOG_TAIL_LINES = 20;
    private static final Logger log = LoggerFactory.getLogger(SparkTrainer.class);

    private final CharRnnProperties.Spark defaults;
    private final int maxVocabularySize;
    private final JsonMapper json;

    public SparkTrainer(CharRnnProperties properties, JsonMapper json) {
        this.defaults = properties.spark();
        this.maxVocabularySize = properties.limits().maxVocabularySize();
        this.json = json;
    }

    /** The job failed on Spark; the message says why, for the job resource. */
    public static final class SparkJobFailedException extends RuntimeException {
        SparkJobFailedException(String reason) {
            super(reason);
        }
    }

    /** Refuses, with what to change, a request the Spark engine cannot run. */
    public void validate(TrainingRequest request) {
        TrainingSchedule schedule = request.schedule();
        if (schedule.engine() != TrainingEngine.SPARK) {
            if (schedule.spark() != null) {
                throw ApiException.badRequest("schedule.spark applies only with schedule.engine \"spark\".");
            }
            return;
        }
        if (request.fromModel() != null) {
            throw ApiException.badRequest("schedule.engine \"spark\" trains new models only; continue model '"
                    + request.fromModel() + "' with the local engine (omit schedule.engine).");
        }
        if (schedule.epochs() == null || schedule.maxIterations() != null || schedule.maxDuration() != null
                || schedule.patience() != null) {
            throw ApiException.badRequest("schedule.engine \"spark\" trains whole epochs: give schedule.epochs, and "
                    + "leave out maxIterations, maxDuration and patience (they apply to local training).");
        }
        validateCorpusUri(request);
        String requested = options(schedule).sparkHome();
        if (requested != null && !requested.equals(defaults.home()) && !defaults.otherHomes().contains(requested)) {
            throw ApiException.badRequest("schedule.spark.sparkHome '" + requested + "' is not an installation this "
                    + "service may run (its bin/spark-submit would be executed): use "
                    + (defaults.home().isBlank() ? "" : "'" + defaults.home() + "' (charrnn.spark.home), ")
                    + (defaults.otherHomes().isEmpty() ? "or list it in charrnn.spark.other-homes"
                    : "one of " + defaults.otherHomes() + " (charrnn.spark.other-homes)") + ", or leave it out.");
        }
        String home = home(schedule).toString();
        if (home.isBlank() || !Files.isExecutable(Path.of(home, "bin", "spark-submit"))) {
            throw ApiException.badRequest("schedule.engine \"spark\" needs a Spark installation: "
                    + (home.isBlank() ? "none is configured" : "no bin/spark-submit under " + home)
                    + ". Set charrnn.spark.home (CHARRNN_SPARK_HOME) or schedule.spark.sparkHome.");
        }
        if (defaults.jobJar().isBlank() || !Files.isRegularFile(Path.of(defaults.jobJar()))) {
            throw ApiException.badRequest("schedule.engine \"spark\" needs the Spark job jar: set charrnn.spark.job-jar "
                    + "(CHARRNN_SPARK_JOBJAR) to trainer-spark's trainer-spark-<version>-job.jar"
                    + (defaults.jobJar().isBlank() ? "." : "; " + defaults.jobJar() + " is not a file."));
        }
    }

    /** The corpus URI of a Spark request, or null when it trains on an uploaded corpus (corpusId). */
    public static String corpusUri(TrainingRequest request) {
        return request.schedule().spark() != null ? request.schedule().spark().corpusUri() : null;
    }

    /**
     * A corpus URI makes the cluster read a path the request names, and a model can give back its
     * text: only paths under the configured roots are accepted.
     */
    private void validateCorpusUri(TrainingRequest request) {
        String uri = corpusUri(request);
        if (uri == null) {
            return;
        }
        if (request.corpusId() != null) {
            throw ApiException.badRequest("Give either corpusId (an uploaded corpus) or schedule.spark.corpusUri (a "
                    + "corpus on the cluster's storage), not both.");
        }
        if (defaults.corpusRoots().isEmpty()) {
            throw ApiException.badRequest("schedule.spark.corpusUri needs charrnn.spark.corpus-roots: the storage "
                    + "prefixes (such as hdfs://namenode:8020/corpora/) the cluster may read corpora from. None is "
                    + "configured; upload the corpus and pass corpusId instead.");
        }
        boolean escapes = uri.chars().anyMatch(c -> c < 0x20 || c == '\\')
                || Arrays.asList(uri.split("/")).contains("..");
        boolean underRoot = defaults.corpusRoots().stream()
                .map(root -> root.endsWith("/") ? root : root + "/")
                .anyMatch(root -> uri.startsWith(root) || (uri + "/").equals(root));
        if (escapes || !underRoot) {
            throw ApiException.badRequest("schedule.spark.corpusUri '" + uri + "' is not under a corpus root this "
                    + "service may read: use a path under one of " + defaults.corpusRoots()
                    + " (charrnn.spark.corpus-roots), without '..' segments.");
        }
    }

    /**
     * Trains on Spark and returns the published model, or a CANCELLED result when the monitor asked
     * to stop (the application is killed). Throws {@link SparkJobFailedException} when no usable
     * model came back.
     *
     * @param corpus the uploaded corpus's text; null when the request names a corpus URI
     */
    public TrainingOutcome train(String jobId, TrainingRequest request, String corpus, Trainer.Monitor monitor) {
        Path run = defaults.runsDir().resolve(jobId + "-" + System.currentTimeMillis()).toAbsolutePath();
        writeRunFolder(run, request, corpus);
        SparkAppHandle app = launch(run, request, jobId);
        try {
            if (!watch(app, run, monitor)) {
                return TrainingOutcome.cancelled();
            }
        } catch (InterruptedException e) {
            app.kill();
            Thread.currentThread().interrupt();
            return TrainingOutcome.cancelled();
        }
        return collect(run, app);
    }

    private void writeRunFolder(Path run, TrainingRequest request, String corpus) {
        TrainingSchedule schedule = request.schedule();
        Integer averaging = options(schedule).averagingFrequency();
        SparkRunSpec spec = new SparkRunSpec(request.modelName(), request.spec(), schedule.epochs(),
                schedule.validationFraction(), trainingMaster(schedule),
                averaging != null ? averaging : SparkRunSpec.DEFAULT_AVERAGING_FREQUENCY,
                SparkRunSpec.DEFAULT_WINDOWS_PER_EXAMPLE, blankToNull(defaults.exportDirectory()),
                blankToNull(defaults.networkMask()), corpusUri(request), defaults.corpusSplitSize().toBytes(),
                defaults.maxValidationChars(), maxVocabularySize);
        if (corpus != null) {
            AtomicFiles.write(run.resolve(SparkRunFiles.CORPUS), corpus.getBytes(StandardCharsets.UTF_8));
        }
        AtomicFiles.write(run.resolve(SparkRunFiles.SPEC), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(spec));
    }

    private SparkAppHandle launch(Path run, TrainingRequest request, String jobId) {
        SparkOptions options = options(request.schedule());
        String cores = String.valueOf(defaults.executorCores());
        // ND4J's OpenMP takes every core of the machine per task unless told otherwise
        SparkLauncher launcher = new SparkLauncher(Map.of("OMP_NUM_THREADS", cores))
                .setJavaHome(System.getProperty("java.home"))
                .setSparkHome(home(request.schedule()).toString())
                .setAppResource(defaults.jobJar())
                .setMainClass(SparkRunFiles.JOB_MAIN_CLASS)
                .setMaster(options.master() != null ? options.master() : defaults.master())
                .setAppName("char-rnn " + request.modelName() + " (job " + jobId + ")")
                .addAppArgs(runUri(run))
                .setConf(SparkLauncher.DRIVER_MEMORY, defaults.driverMemory())
                .setConf(SparkLauncher.EXECUTOR_MEMORY, defaults.executorMemory())
                .setConf(SparkLauncher.EXECUTOR_CORES, cores)
                .setConf("spark.executor.instances", String.valueOf(options.executors() != null
                        ? options.executors() : defaults.executors()))
                .setConf("spark.executorEnv.OMP_NUM_THREADS", cores)
                .setConf(SparkLauncher.DRIVER_EXTRA_JAVA_OPTIONS, AERON_OPTIONS)
                .setConf(SparkLauncher.EXECUTOR_EXTRA_JAVA_OPTIONS, AERON_OPTIONS)
                .setConf("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .setConf("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator")
                .redirectError()
                .redirectOutput(run.resolve(SparkRunFiles.DRIVER_LOG).toFile());
        defaults.conf().forEach(launcher::setConf);
        try {
            return launcher.startApplication(new StateLogger(jobId));
        } catch (IOException e) {
            throw new SparkJobFailedException("could not start spark-submit from " + home(request.schedule()) + ": "
                    + e.getMessage());
        }
    }

    /** Relays epochs until the application ends (true) or the job is cancelled (false, app killed). */
    private boolean watch(SparkAppHandle app, Path run, Trainer.Monitor monitor) throws InterruptedException {
        int reported = 0;
        while (true) {
            boolean ended = app.getState().isFinal(); // read first: the last epoch is on disk before the end
            Optional<SparkRunProgress> progress = readProgress(run);
            List<TrainingMetrics> epochs = progress.map(SparkRunProgress::history).orElse(List.of());
            for (; reported < epochs.size(); reported++) {
                monitor.onIteration(epochs.get(reported));
            }
            if (ended) {
                return true;
            }
            if (monitor.stopRequested()) {
                app.kill();
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private TrainingOutcome collect(Path run, SparkAppHandle app) {
        SparkRunProgress progress = readProgress(run).orElse(null);
        if (!Files.exists(run.resolve(SparkRunFiles.SUCCESS))) {
            throw new SparkJobFailedException(failure(progress, app, run));
        }
        TrainingMetrics last = progress != null ? progress.last() : null;
        if (last == null || last.valBpc() == null || !Double.isFinite(last.valBpc())) {
            throw new SparkJobFailedException("the Spark job published a model without a finite validation loss ("
                    + (last == null ? "no epochs reported" : last.valBpc()) + ")");
        }
        MultiLayerNetwork network;
        try {
            network = ModelSerializer.restoreMultiLayerNetwork(run.resolve(SparkRunFiles.MODEL).toFile(), true);
        } catch (IOException | RuntimeException e) {
            throw new SparkJobFailedException("the Spark job's model.zip does not load: " + e.getMessage());
        }
        if (progress.vocabulary().size() != network.layerInputSize(0)
                || progress.trainCounts().size() != progress.vocabulary().size()) {
            throw new SparkJobFailedException("the Spark job's vocabulary (" + progress.vocabulary().size()
                    + " characters, " + progress.trainCounts().size() + " counts) does not match its model's input ("
                    + network.layerInputSize(0) + ")");
        }
        return new TrainingOutcome(new Trainer.Result(network, last, last, progress.history(), Trainer.StopReason.EPOCHS),
                progress.vocabulary(), progress.trainCounts());
    }

    /** The job's own reason when it wrote one, otherwise the launcher state and the driver log's last lines. */
    private static String failure(SparkRunProgress progress, SparkAppHandle app, Path run) {
        if (progress != null && progress.error() != null) {
            return "Spark job failed: " + progress.error();
        }
        return "the Spark application ended " + app.getState() + " without publishing a model; "
                + "last lines of its driver log (" + run.resolve(SparkRunFiles.DRIVER_LOG) + "):\n" + logTail(run);
    }

    private static String logTail(Path run) {
        try {
            List<String> lines = Files.readAllLines(run.resolve(SparkRunFiles.DRIVER_LOG), StandardCharsets.UTF_8)
                    .stream().filter(line -> !line.isBlank() && !line.startsWith("\tat ")).toList(); // messages, not frames
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no driver log: " + e.getMessage() + ")";
        }
    }

    /** The job rewrites the file by rename, so a read sees a whole version or none. */
    private Optional<SparkRunProgress> readProgress(Path run) {
        Path file = run.resolve(SparkRunFiles.PROGRESS);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), SparkRunProgress.class));
        } catch (RuntimeException e) {
            log.debug("progress of {} not readable yet: {}", run, e.getMessage());
            return Optional.empty();
        }
    }

    private String runUri(Path run) {
        if (defaults.runsUri().isBlank()) {
            return run.toUri().toString();
        }
        return defaults.runsUri().replaceAll("/+$", "") + "/" + run.getFileName();
    }

    private Path home(TrainingSchedule schedule) {
        SparkOptions options = options(schedule);
        return Path.of(options.sparkHome() != null ? options.sparkHome() : defaults.home());
    }

    private SparkTrainingMaster trainingMaster(TrainingSchedule schedule) {
        SparkOptions options = options(schedule);
        return options.trainingMaster() != null ? options.trainingMaster() : defaults.trainingMaster();
    }

    private static SparkOptions options(TrainingSchedule schedule) {
        return schedule.spark() != null ? schedule.spark() : new SparkOptions(null, null, null, null, null, null);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Logs the application's launcher states (SUBMITTED, RUNNING, FINISHED...) with its Spark id. */
    private record StateLogger(String jobId) implements SparkAppHandle.Listener {
        @Override
        public void stateChanged(SparkAppHandle handle) {
            log.info("job {}: Spark application {} is {}", jobId, handle.getAppId(), handle.getState());
        }

        @Override
        public void infoChanged(SparkAppHandle handle) {
        }
    }
}
