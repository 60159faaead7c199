package dev.charrnn.training;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.charrnn.corpus.Corpus;
import dev.charrnn.corpus.CorpusReaders;
import dev.charrnn.corpus.CorpusStore;
import dev.charrnn.model.ModelMetadata;
import dev.charrnn.model.ModelSpecValidator;
import dev.charrnn.model.ModelStore;
import dev.charrnn.model.ModelWriters;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.cpu.Nd4jBackend;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.InteractiveRequests;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.system.SseChannels;
import dev.charrnn.system.StorageException;
import dev.charrnn.text.CharSequenceIterator;
import dev.charrnn.text.CharVocabulary;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.CheckpointInfo;
import dev.charrnn.train.GradientFlowProbe;
import dev.charrnn.train.GradientStats;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingEngine;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.TrainingOutcome;
import dev.charrnn.train.TrainingPosition;
import dev.charrnn.train.TrainingSchedule;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts training jobs and runs them on background workers ({@code charrnn.jobs.concurrency},
 * default one: one device, one job). Requests never wait for training. Job records are persisted
 * so that they survive restarts.
 */
@Service
public class TrainingService implements ModelWriters, CorpusReaders {

    private static final Logger log = LoggerFactory.getLogger(TrainingService.class);
    public static final String GRADIENTS_FILE = "gradients.json";

    /** The gradient history saved beside a model. */
    public record GradientRecord(List<GradientStats> points) {
    }

    private final CorpusStore corpora;
    private final ModelStore models;
    private final ModelSpecValidator specValidator;
    private final CharRnnProperties.Limits limits;
    private final Map<String, TrainingJob> jobs = new ConcurrentHashMap<>();
    private final ExecutorService worker;
    /** Spark jobs only wait for a remote application: they do not hold the local device's worker. */
    private final ExecutorService sparkWatchers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "spark-job-watcher");
        thread.setDaemon(true);
        return thread;
    });
    private final SparkTrainer spark;
    private final SseChannels channels;
    private final InteractiveRequests interactive;
    private final Nd4jRuntime nd4j;
    private final JobStore store;
    private final boolean autoResume;
    private final Duration shutdownTimeout;
    private final JsonMapper json;

    public TrainingService(CorpusStore corpora, ModelStore models, ModelSpecValidator specValidator,
                           CharRnnProperties properties, Nd4jRuntime nd4j, JobStore store,
                           JsonMapper json, SparkTrainer spark, SseChannels channels,
                           InteractiveRequests interactive) {
        this.channels = channels;
        this.interactive = interactive;
        this.corpora = corpora;
        this.models = models;
        this.specValidator = specValidator;
        this.limits = properties.limits();
        this.nd4j = nd4j;
        this.store = store;
        this.json = json;
        this.spark = spark;
        this.autoResume = properties.jobs().autoResume();
        this.shutdownTimeout = properties.jobs().shutdownTimeout();
        int workers = Math.max(1, properties.jobs().concurrency());
        this.worker = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "training-worker");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Jobs from before a restart come back; the ones that were queued or running are INTERRUPTED. */
    @PostConstruct
    void restoreJobs() {
        for (JobRecord record : store.loadAll()) {
            TrainingJob job = new TrainingJob(record, channels);
            jobs.put(job.id(), job);
            if (record.state().isActive()) {
                persist(job);
                log.info("job {} was {} when the service stopped: now INTERRUPTED", job.id(), record.state());
                if (autoResume) {
                    resume(job.id());
                }
            }
        }
    }

    /** Continues an INTERRUPTED or CANCELLED job from its last checkpoint (or from the start without one). */
    public synchronized TrainingJob resume(String id) {
        TrainingJob job = get(id);
        if (!job.state().isResumable()) {
            throw ApiException.conflict("Job '" + id + "' is " + job.state() + "; only INTERRUPTED or CANCELLED jobs "
                    + "can be resumed.");
        }
        if (writes(job.request().modelName())) {
            throw ApiException.conflict("Another job is writing model '" + job.request().modelName() + "'; resume "
                    + "this one when it ends.");
        }
        spark.validate(job.request()); // the Spark settings may have changed since it was submitted
        if (!job.requeue()) {
            throw ApiException.conflict("Job '" + id + "' is " + job.state() + "; only INTERRUPTED or CANCELLED jobs "
                    + "can be resumed.");
        }
        persist(job);
        executorFor(job).execute(() -> run(job));
        log.info("resuming job {}", id);
        return job;
    }

    public synchronized TrainingJob submit(TrainingRequest request) {
        TrainingRequest resolved = resolve(request);
        long waiting = jobs.values().stream().filter(j -> j.state().isActive()).count();
        if (waiting >= limits.maxQueuedJobs()) {
            throw ApiException.busy(waiting + " training jobs are queued or running (limit charrnn.limits."
                    + "max-queued-jobs = " + limits.maxQueuedJobs() + "). Retry when one finishes.", 60);
        }
        TrainingJob job = new TrainingJob(UUID.randomUUID().toString().replace("-", "").substring(0, 12), resolved, channels);
        jobs.put(job.id(), job);
        persist(job);
        executorFor(job).execute(() -> run(job));
        log.info("queued job {} for model {}", job.id(), resolved.modelName());
        return job;
    }

    public TrainingJob get(String id) {
        TrainingJob job = jobs.get(id);
        if (job == null) {
            throw ApiException.notFound("No training job with id '" + id + "'. GET /api/training-jobs lists them.");
        }
        return job;
    }

    public List<TrainingJob> list() {
        return jobs.values().stream().sorted((a, b) -> a.view().createdAt().compareTo(b.view().createdAt())).toList();
    }

    public TrainingJob cancel(String id) {
        TrainingJob job = get(id);
        if (!job.cancel(this::save)) {
            throw ApiException.conflict("Job '" + id + "' is " + job.state() + "; only QUEUED or RUNNING jobs can be cancelled.");
        }
        return job;
    }

    private void persist(TrainingJob job) {
        save(job.record());
    }

    private void save(JobRecord record) {
        try {
            store.save(record);
        } catch (RuntimeException e) {
            log.warn("could not persist job {}: {}", record.id(), e.getMessage());
        }
    }

    /** Server-Sent Events of a job: progress, gradients, flow, alert, done. */
    public SseEmitter events(String id) {
        return get(id).subscribe();
    }

    /** True while a queued or running job trains on the corpus. */
    @Override
    public boolean reads(String corpusId) {
        return active().stream().anyMatch(j -> corpusId.equals(j.request().corpusId()));
    }

    /** True while a queued or running job writes the model or continues from it. */
    @Override
    public boolean writes(String modelName) {
        return active().stream().anyMatch(j -> j.request().modelName().equals(modelName)
                || modelName.equals(j.request().fromModel()));
    }

    /**
     * A SIGTERM (docker stop, a redeploy): running jobs checkpoint their last step and become
     * INTERRUPTED, so a resume loses nothing; queued ones stay queued on disk for the restart.
     */
    @PreDestroy
    void shutdown() throws InterruptedException {
        jobs.values().forEach(TrainingJob::stopForShutdown);
        worker.shutdown();
        if (!worker.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("training did not stop within charrnn.jobs.shutdown-timeout ({}): the resume starts from the "
                    + "last checkpoint written", shutdownTimeout);
        }
        worker.shutdownNow();
        sparkWatchers.shutdownNow();
    }

    private ExecutorService executorFor(TrainingJob job) {
        return job.request().schedule().engine() == TrainingEngine.SPARK ? sparkWatchers : worker;
    }

    private Collection<TrainingJob> active() {
        return jobs.values().stream().filter(j -> j.state().isActive()).toList();
    }

    /** Validates the request and fills in what fromModel implies; every refusal says what to change. */
    private TrainingRequest resolve(TrainingRequest request) {
        TrainingSchedule schedule = request.schedule();
        spark.validate(request);
        if (schedule.maxDuration() != null && (schedule.maxDuration().isNegative() || schedule.maxDuration().isZero())) {
            throw ApiException.badRequest("schedule.maxDuration must be positive, such as PT30M; got "
                    + schedule.maxDuration() + ".");
        }
        if (schedule.maxIterations() != null) {
            ModelSpecValidator.requireRange("schedule.maxIterations", schedule.maxIterations(), 1,
                    limits.maxIterations(), "max-iterations");
        }
        if (SparkTrainer.corpusUri(request) != null) {
            return resolveOnClusterStorage(request); // the job reads and checks the corpus
        }
        TrainingRequest resolved = request.fromModel() == null ? resolveNew(request) : resolveContinuation(request);
        specValidator.validate(resolved.spec());
        Corpus corpus = corpora.get(resolved.corpusId());
        int vocabularySize = resolved.fromModel() == null ? corpus.vocabularySize()
                : models.metadata(resolved.fromModel()).vocabulary().size();
        specValidator.requireFits(resolved.spec(), vocabularySize, Pointer.maxBytes());
        requireLongEnough(corpus, resolved.spec(), schedule);
        return resolved;
    }

    /**
     * A Spark job on a corpus URI: its length and vocabulary are known only once the cluster has
     * counted it, so the job checks them (vocabulary limit, enough text) and fails with the reason.
     */
    private TrainingRequest resolveOnClusterStorage(TrainingRequest request) {
        requireNewModelName(request.modelName());
        TrainingRequest resolved = request.resolved(null, request.modelName(),
                request.spec() != null ? request.spec() : ModelSpec.defaults());
        specValidator.validate(resolved.spec());
        return resolved;
    }

    private TrainingRequest resolveNew(TrainingRequest request) {
        if (request.corpusId() == null || request.corpusId().isBlank()) {
            throw ApiException.badRequest("corpusId is required: upload a corpus with POST /api/corpora and pass its id.");
        }
        requireNewModelName(request.modelName());
        corpora.get(request.corpusId());
        return request.resolved(request.corpusId(), request.modelName(),
                request.spec() != null ? request.spec() : ModelSpec.defaults());
    }

    private TrainingRequest resolveContinuation(TrainingRequest request) {
        if (request.spec() != null) {
            throw ApiException.badRequest("spec cannot be changed when continuing a model (fromModel): the model's "
                    + "own spec is used. Omit spec, or train a new model.");
        }
        ModelMetadata source = models.metadata(request.fromModel());
        String modelName = request.modelName() != null ? request.modelName() : request.fromModel();
        if (!modelName.equals(request.fromModel())) {
            requireNewModelName(modelName);
        } else if (writes(modelName)) {
            throw ApiException.conflict("Model '" + modelName + "' is already being trained by another job.");
        }
        String corpusId = request.corpusId() != null ? request.corpusId() : source.corpusId();
        if (corpusId == null) {
            throw ApiException.badRequest("Model '" + request.fromModel() + "' was trained on Spark from a corpus on "
                    + "the cluster's storage; give corpusId (an uploaded corpus within its vocabulary) to continue it.");
        }
        Set<Integer> unknown = CharVocabulary.fromCodePoints(source.vocabulary()).unknownIn(corpora.readText(corpusId));
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("Corpus '" + corpusId + "' has characters model '" + request.fromModel()
                    + "' does not know: " + CharVocabulary.describeAll(unknown) + ". Continue on a corpus within its vocabulary.");
        }
        return request.resolved(corpusId, modelName, source.spec());
    }

    private void requireNewModelName(String modelName) {
        models.directory(modelName);
        if (models.exists(modelName) || writes(modelName)) {
            throw ApiException.conflict("A model named '" + modelName + "' already exists or is being trained. "
                    + "Choose another modelName, continue it with fromModel, or DELETE /api/models/" + modelName + " first.");
        }
    }

    private static void requireLongEnough(Corpus corpus, ModelSpec spec, TrainingSchedule schedule) {
        long validation = Math.round(corpus.chars() * schedule.validationFraction());
        long train = corpus.chars() - validation;
        long needed = (long) spec.batchSize() * spec.seqLength() + 1;
        if (CharSequenceIterator.streamLength((int) Math.min(train, Integer.MAX_VALUE), spec.batchSize()) < spec.seqLength()) {
            throw ApiException.badRequest("Corpus '" + corpus.id() + "' leaves " + train + " training characters, but "
                    + "spec.batchSize x spec.seqLength needs at least " + needed + ". Lower batchSize or seqLength, "
                    + "or upload a longer corpus.");
        }
        if (validation < 2) {
            throw ApiException.badRequest("schedule.validationFraction " + schedule.validationFraction() + " of "
                    + corpus.chars() + " characters leaves fewer than 2 for validation. Raise it or upload a longer corpus.");
        }
    }

    private void run(TrainingJob job) {
        if (!job.start()) {
            return;
        }
        persist(job);
        TrainingRequest request = job.request();
        try {
            nd4j.applyToCurrentThread();
            TrainingOutcome outcome = request.schedule().engine() == TrainingEngine.SPARK
                    ? spark.train(job.id(), request, request.corpusId() == null ? null
                    : corpora.readText(request.corpusId()), monitor(request, job))
                    : trainLocally(request, job);
            Trainer.Result result = outcome.result();
            if (result.stopped() && job.shutdownRequested()) {
                finish(job, JobState.INTERRUPTED, "the service stopped at iteration " + result.last().iteration()
                        + ", which was checkpointed; POST /api/training-jobs/" + job.id() + "/resume continues it there");
                return;
            }
            if (result.stopped()) {
                finish(job, JobState.CANCELLED, null);
                return;
            }
            models.save(metadata(request, outcome), result.network());
            models.saveDocument(request.modelName(), GRADIENTS_FILE, new GradientRecord(job.gradients().points()));
            models.deleteCheckpoint(request.modelName());
            finish(job, JobState.SUCCEEDED, null);
        } catch (Trainer.DivergedException | ApiException | SparkTrainer.SparkJobFailedException e) {
            finish(job, JobState.FAILED, e.getMessage());
        } catch (StorageException e) {
            log.warn("training job {} failed: {}", job.id(), e.getMessage());
            finish(job, JobState.FAILED, "storage: " + e.getMessage() + "; the files written before are intact");
        } catch (RuntimeException | Error e) {
            log.error("training job {} failed", job.id(), e);
            finish(job, JobState.FAILED, "internal error: " + e + " (see the server log)");
        }
    }

    private void finish(TrainingJob job, JobState end, String reason) {
        job.finish(end, reason, this::save);
    }

    /** Local training, with the vocabulary and counts of the corpus as this service encoded it. */
    private TrainingOutcome trainLocally(TrainingRequest request, TrainingJob job) {
        EncodedText text = encode(request);
        return new TrainingOutcome(train(request, text, job), text.vocabulary().codePoints(),
                Arrays.stream(text.trainCounts()).boxed().toList());
    }

    /** The corpus as indices: a new vocabulary, or the vocabulary of the model being continued. */
    private EncodedText encode(TrainingRequest request) {
        String corpus = corpora.readText(request.corpusId());
        double validation = request.schedule().validationFraction();
        if (request.fromModel() == null) {
            return EncodedText.of(corpus, validation);
        }
        return EncodedText.of(corpus, validation,
                CharVocabulary.fromCodePoints(models.metadata(request.fromModel()).vocabulary()));
    }

    private Trainer.Result train(TrainingRequest request, EncodedText text, TrainingJob job) {
        Trainer.Monitor monitor = monitor(request, job);
        var checkpoint = models.loadCheckpoint(request.modelName())
                .map(c -> Map.entry(c.network(), json.readValue(c.info(), CheckpointInfo.class)))
                .filter(c -> c.getValue().jobId().equals(job.id()));
        if (checkpoint.isPresent()) {
            log.info("job {} continues from its checkpoint at iteration {}", job.id(),
                    checkpoint.get().getValue().position().iteration());
            return Trainer.resume(checkpoint.get().getKey(), checkpoint.get().getValue().position(), text,
                    request.spec(), request.schedule(), nd4j.compute(), monitor);
        }
        if (request.fromModel() == null) {
            return Trainer.train(text, request.spec(), request.schedule(), nd4j.compute(), monitor);
        }
        MultiLayerNetwork source = models.loadForTraining(request.fromModel());
        return Trainer.resume(source, continuation(models.metadata(request.fromModel()), source, request), text,
                request.spec(), request.schedule(), nd4j.compute(), monitor);
    }

    /** A continued model carries on its iteration count and, on its own corpus, its epochs and evaluations. */
    private static TrainingPosition continuation(ModelMetadata source, MultiLayerNetwork network, TrainingRequest request) {
        long iteration = network.getIterationCount();
        List<TrainingMetrics> history = Objects.equals(source.corpusId(), request.corpusId()) ? source.history()
                : List.of();
        long epoch = history.isEmpty() ? 0 : history.get(history.size() - 1).epoch(); // the last, not the best's
        return new TrainingPosition(iteration, iteration, epoch, 0, history);
    }

    /** Relays a run's progress, checkpoints, gradients and cancellation to the job (local and Spark alike). */
    private Trainer.Monitor monitor(TrainingRequest request, TrainingJob job) {
        return new Trainer.Monitor() {
            @Override
            public void onIteration(TrainingMetrics metrics) {
                job.progress(metrics);
                if (request.schedule().engine() == TrainingEngine.SPARK) {
                    persist(job); // an epoch is minutes of cluster time: the job record keeps up
                }
            }

            @Override
            public void onCheckpoint(MultiLayerNetwork network, TrainingPosition position) {
                models.saveCheckpoint(request.modelName(), network,
                        json.writeValueAsString(new CheckpointInfo(job.id(), position)));
                persist(job);
            }

            @Override
            public boolean stopRequested() {
                return job.cancelRequested() || job.shutdownRequested();
            }

            @Override
            public void betweenSteps(long lastStepNanos) {
                interactive.giveWay(lastStepNanos);
            }

            @Override
            public void onStartingPoint(TrainingMetrics start) {
                job.startingPoint(start);
            }

            @Override
            public boolean checkpointOnStop() {
                return true; // cancelled or shut down, a resume continues from the step it reached
            }

            @Override
            public void onGradients(GradientStats stats) {
                job.gradients(stats);
            }

            @Override
            public void onFlow(long iteration, GradientFlowProbe.Flow flow) {
                job.flow(iteration, flow);
            }
        };
    }

    private static ModelMetadata metadata(TrainingRequest request, TrainingOutcome outcome) {
        Trainer.Result result = outcome.result();
        return new ModelMetadata(request.modelName(), request.spec(), outcome.vocabulary(), outcome.trainCounts(),
                request.corpusId(), result.network().numParams(),
                result.metrics(), result.history(), Nd4jBackend.name(), Instant.now());
    }
}
