package dev.charrnn.training;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.charrnn.nn.GradientClipping;
import dev.charrnn.system.SseChannels;
import dev.charrnn.train.Alert;
import dev.charrnn.train.GradientDetectors;
import dev.charrnn.train.GradientFlowProbe;
import dev.charrnn.train.GradientHistory;
import dev.charrnn.train.GradientStats;
import dev.charrnn.train.TrainingEngine;
import dev.charrnn.train.TrainingMetrics;

/**
 * One training run and its state machine. Written by the worker thread, read by request
 * threads: every transition is synchronized and {@link #view()} takes a consistent snapshot.
 */
public final class TrainingJob {

    private final String id;
    private final TrainingRequest request;
    private final Instant createdAt;
    private JobState state = JobState.QUEUED;
    private TrainingMetrics metrics = TrainingMetrics.start(0);
    private Instant startedAt;
    private Instant finishedAt;
    private String error;
    private volatile boolean cancelRequested;
    private volatile boolean shutdownRequested;
    private final GradientHistory gradients = new GradientHistory(2000);
    private final GradientDetectors detectors;
    /** The evaluation with the lowest validation bpc so far, or null. */
    private TrainingMetrics best;
    private final List<Alert> alerts = new ArrayList<>();
    private final JobEvents events;
    private GradientFlowProbe.Flow lastFlow;
    private long lastFlowIteration;
    /** For {@link #history()}: a client that joins late draws the run from its first iteration. */
    private final MetricsSeries steps = new MetricsSeries(HISTORY_POINTS);
    private final MetricsSeries evaluations = new MetricsSeries(HISTORY_POINTS);
    private final List<JobHistory.FlowPoint> flows = new ArrayList<>();
    private static final int HISTORY_POINTS = 512;

    TrainingJob(String id, TrainingRequest request, SseChannels channels) {
        this.events = new JobEvents(channels);
        this.detectors = detectors(request);
        this.id = id;
        this.request = request;
        this.createdAt = Instant.now();
    }

    /** A job read back after a restart; one that was queued or running is now INTERRUPTED. */
    TrainingJob(JobRecord record, SseChannels channels) {
        this.events = new JobEvents(channels);
        this.detectors = detectors(record.request());
        this.best = record.best();
        this.id = record.id();
        this.request = record.request();
        this.createdAt = record.createdAt();
        this.state = record.state().isActive() ? JobState.INTERRUPTED : record.state();
        this.metrics = record.metrics() != null ? record.metrics() : TrainingMetrics.start(0);
        this.startedAt = record.startedAt();
        this.finishedAt = record.finishedAt();
        this.error = record.state().isActive() ? "the service stopped while the job was " + record.state()
                + "; POST /api/training-jobs/" + record.id() + "/resume " + resumes(record.request()) : record.error();
    }

    /** The local trainer keeps its best weights; the Spark job saves its last. */
    private static GradientDetectors detectors(TrainingRequest request) {
        GradientClipping clipping = request.spec().gradientClipping();
        return new GradientDetectors(request.schedule().engine() != TrainingEngine.SPARK,
                clipping.mode() == GradientClipping.Mode.GLOBAL_L2 ? clipping.threshold() : null);
    }

    /** A Spark application keeps no checkpoint the service can read: resuming submits it again. */
    private static String resumes(TrainingRequest request) {
        return request.schedule().engine() == TrainingEngine.SPARK
                ? "submits it to Spark again, from the start" : "continues it";
    }

    synchronized JobRecord record() {
        return new JobRecord(id, request, state, metrics, createdAt, startedAt, finishedAt, error, best);
    }

    /** Queues an interrupted or cancelled job again. */
    synchronized boolean requeue() {
        if (!state.isResumable()) {
            return false;
        }
        state = JobState.QUEUED;
        cancelRequested = false;
        shutdownRequested = false;
        error = null;
        finishedAt = null;
        return true;
    }

    public String id() {
        return id;
    }

    public TrainingRequest request() {
        return request;
    }

    public synchronized JobState state() {
        return state;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** True when the service is stopping: the run checkpoints where it is and the job is INTERRUPTED. */
    boolean shutdownRequested() {
        return shutdownRequested;
    }

    /**
     * The service stops: a running job stops after its current step, a queued one stays queued on
     * disk (the restart makes both INTERRUPTED).
     */
    synchronized void stopForShutdown() {
        if (state == JobState.RUNNING) {
            shutdownRequested = true;
        } else if (state == JobState.QUEUED) {
            cancelRequested = true;
        }
    }

    /** Moves to RUNNING unless the job was cancelled while queued. */
    synchronized boolean start() {
        if (state != JobState.QUEUED) {
            return false;
        }
        state = JobState.RUNNING;
        startedAt = Instant.now();
        return true;
    }

    /** Gradient statistics recorded while it trained (bounded, oldest thinned out). */
    public GradientHistory gradients() {
        return gradients;
    }

    /** A resume's starting weights: the best unless an earlier figure of the path still taken beats them. */
    synchronized void startingPoint(TrainingMetrics start) {
        if (best == null || best.iteration() >= start.iteration() || start.valBpc() < best.valBpc()) {
            best = start;
        }
    }

    synchronized void progress(TrainingMetrics latest) {
        boolean evaluated = latest.valBpc() != null && !latest.valBpc().equals(metrics.valBpc());
        boolean rewound = best != null && best.iteration() >= latest.iteration(); // a resume runs them again
        metrics = latest;
        steps.add(latest);
        if (evaluated) {
            evaluations.add(latest);
        } else {
            evaluations.dropFrom(latest.iteration() + 1);
        }
        if (latest.trainLoss() != null) {
            alert(detectors.onLoss(latest.iteration(), latest.trainLoss()));
        }
        if (rewound) {
            best = evaluations.points().stream().min(Comparator.comparingDouble(TrainingMetrics::valBpc)).orElse(null);
        }
        if (evaluated) {
            if (best == null || latest.valBpc() < best.valBpc()) {
                best = latest;
            }
            alert(detectors.onValidation(latest.iteration(), latest.valBpc()));
        }
        events.progress(view(), evaluated);
    }

    synchronized void gradients(GradientStats stats) {
        gradients.add(stats);
        events.statistics("gradients", stats);
        alert(detectors.onGradients(stats));
    }

    synchronized void flow(long iteration, GradientFlowProbe.Flow flow) {
        lastFlow = flow;
        lastFlowIteration = iteration;
        flows.removeIf(point -> point.iteration() >= iteration); // a resume replays those iterations
        flows.add(JobHistory.FlowPoint.of(iteration, flow));
        if (flows.size() > HISTORY_POINTS) {
            thinEvenly(flows);
        }
        events.statistics("flow", flowView());
        alert(detectors.onFlow(iteration, flow.norms().length, flow.firstToLastRatio()));
    }

    private void alert(List<Alert> found) {
        for (Alert alert : found) {
            if (alerts.size() < 500) {
                alerts.add(alert);
            }
            events.alert(alert);
        }
    }

    /** The latest gradient flow measured during training, or null. */
    public synchronized GradientFlowProbe.Flow lastFlow() {
        return lastFlow;
    }

    /** What the job has recorded so far: evaluations, training steps (thinned) and the latest flow. */
    public synchronized JobHistory history() {
        return new JobHistory(evaluations.points(), steps.points(), lastFlow == null ? null : flowView(),
                List.copyOf(flows));
    }

    /** Keeps the first point and every second one after it: the run stays covered end to end. */
    private static void thinEvenly(List<?> points) {
        for (int i = points.size() - 2; i >= 1; i -= 2) {
            points.remove(i);
        }
    }

    private JobHistory.Flow flowView() {
        return new JobHistory.Flow(lastFlowIteration, Arrays.stream(lastFlow.norms()).boxed().toList(),
                lastFlow.firstToLastRatio(), lastFlow.contraction());
    }

    synchronized SseEmitter subscribe() {
        return events.subscribe(view());
    }

    /** Requests a stop; a queued job is cancelled at once (and persisted), a running one after its current step. */
    synchronized boolean cancel(Consumer<JobRecord> persist) {
        if (!state.isActive()) {
            return false;
        }
        cancelRequested = true;
        if (state == JobState.QUEUED) {
            finish(JobState.CANCELLED, null, persist);
        }
        return true;
    }

    /**
     * Ends the job and has {@code persist} write its record before anyone can see the end: a
     * client that reads a finished state finds the record on disk.
     */
    synchronized void finish(JobState end, String reason, Consumer<JobRecord> persist) {
        state = end;
        error = reason;
        finishedAt = Instant.now();
        persist.accept(record());
        events.done(view());
    }

    /** Seconds left at the pace so far, while running with a bounded schedule and some progress. */
    private Double etaSeconds() {
        if (state != JobState.RUNNING || startedAt == null || metrics.progress() <= 0) {
            return null;
        }
        double elapsed = Duration.between(startedAt, Instant.now()).toMillis() / 1000.0;
        return elapsed * (1 - metrics.progress()) / metrics.progress();
    }

    public synchronized JobView view() {
        return new JobView(id, state, request.modelName(), request.corpusId(), request.spec(), request.schedule(),
                metrics.iteration(), metrics.epoch(), metrics.trainLoss(), metrics.valBpc(),
                best == null ? null : best.valBpc(), best == null ? null : best.iteration(), metrics.charsPerSecond(),
                metrics.gradNorm(), state == JobState.SUCCEEDED ? 1.0 : metrics.progress(),
                etaSeconds(), List.copyOf(alerts), createdAt, startedAt, finishedAt, error);
    }
}
