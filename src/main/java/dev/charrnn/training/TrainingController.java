package dev.charrnn.training;

import java.net.URI;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.charrnn.corpus.ExampleCorpus;
import dev.charrnn.system.ProblemResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

@RestController
@RequestMapping("/api/training-jobs")
@Tag(name = "Training", description = "Train models on stored corpora in the background")
public class TrainingController {

    static final String EXAMPLE = "{\"corpusId\": \"" + ExampleCorpus.ID + "\", \"modelName\": \"demo\",\n"
            + " \"spec\": {\"cell\": \"LSTM\", \"layers\": 1, \"hiddenSize\": 64, \"seqLength\": 16, \"batchSize\": 8,\n"
            + "          \"learningRate\": 0.005, \"optimizer\": \"ADAM\",\n"
            + "          \"gradientClipping\": {\"mode\": \"GLOBAL_L2\", \"threshold\": 5.0}, \"seed\": 42},\n"
            + " \"schedule\": {\"maxIterations\": 200, \"evalEvery\": 50}}";
    static final String CONTINUE_EXAMPLE = """
            {"fromModel": "demo", "schedule": {"maxIterations": 100, "evalEvery": 50}}""";

    private final TrainingService training;

    public TrainingController(TrainingService training) {
        this.training = training;
    }

    @PostMapping
    @ProblemResponses({400, 404, 409, 415, 503})
    @ApiResponse(responseCode = "202", description = "Queued: Location is the job to poll")
    @Operation(operationId = "startTrainingJob", summary = "Start a training job",
            description = "Validates the request, queues the job and answers 202 at once with a Location to poll. "
                    + "Jobs run one at a time. The example trains a small LSTM on the example corpus in seconds.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = "application/json",
            examples = {
                    @ExampleObject(name = "small LSTM on the example corpus", value = EXAMPLE),
                    @ExampleObject(name = "continue training it", value = CONTINUE_EXAMPLE)}))
    public ResponseEntity<JobView> submit(@Valid @RequestBody TrainingRequest request) {
        TrainingJob job = training.submit(request);
        return ResponseEntity.accepted().location(URI.create("/api/training-jobs/" + job.id())).body(job.view());
    }

    @GetMapping
    @Operation(operationId = "listTrainingJobs", summary = "List training jobs", description = "Oldest first")
    public List<JobView> list() {
        return training.list().stream().map(TrainingJob::view).toList();
    }

    @GetMapping("/{id}")
    @ProblemResponses({404})
    @Operation(operationId = "getTrainingJob",
            summary = "One training job", description = "State, iteration, train loss (nats/char), "
            + "validation loss (bits/char) and characters per second")
    public JobView get(@PathVariable String id) {
        return training.get(id).view();
    }

    @GetMapping("/defaults")
    @Operation(operationId = "getTrainingDefaults", summary = "Defaults of a training request",
            description = "The spec and schedule a job gets for every field its request leaves out, as a form "
            + "fills them in before it submits.")
    public TrainingDefaults defaults() {
        return TrainingDefaults.current();
    }

    @GetMapping("/{id}/history")
    @ProblemResponses({404})
    @Operation(operationId = "getTrainingJobHistory",
            summary = "What a job has recorded so far", description = "For a client that joins a running job "
            + "late, so that its curves start at the job's first iteration, not at the moment it connected: every "
            + "evaluation, the training steps (every iteration at first, thinned evenly as the run grows, at most "
            + "512 points) and the latest gradient flow. Subscribe to /events first, then read this and merge by "
            + "iteration. Kept in memory: after a restart it starts empty (the model a finished job wrote keeps "
            + "its evaluations in its history).")
    public JobHistory history(@PathVariable String id) {
        return training.get(id).history();
    }

    @GetMapping(value = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @ProblemResponses({404})
    @Operation(operationId = "streamTrainingJobEvents",
            summary = "Live events of a job", description = "Server-Sent Events: 'progress' (the job, at most 4 "
            + "per second and at every evaluation), 'gradients' (each recording), 'flow' (gradient flow through time), "
            + "'alert' (a gradient finding) and 'done' (the final job) when it ends.")
    public SseEmitter events(@PathVariable String id) {
        return training.events(id);
    }

    @PostMapping("/{id}/resume")
    @ProblemResponses({400, 404, 409})
    @ApiResponse(responseCode = "202", description = "Queued again: Location is the job to poll")
    @Operation(operationId = "resumeTrainingJob",
            summary = "Resume a job", description = "Continues an INTERRUPTED job (the service stopped while it "
            + "ran) or a CANCELLED one from its last checkpoint: weights, optimizer state, iteration count and data "
            + "position carry on; without a checkpoint it starts over. 409 for jobs in other states.")
    public ResponseEntity<JobView> resume(@PathVariable String id) {
        TrainingJob job = training.resume(id);
        return ResponseEntity.accepted().location(URI.create("/api/training-jobs/" + job.id())).body(job.view());
    }

    @PostMapping("/{id}/cancel")
    @ProblemResponses({404, 409})
    @Operation(operationId = "cancelTrainingJob",
            summary = "Cancel a job", description = "A queued job is cancelled at once, a running one after its "
            + "current step, which it checkpoints, so a resume continues there. 409 when the job already ended.")
    public JobView cancel(@PathVariable String id) {
        return training.cancel(id).view();
    }
}
