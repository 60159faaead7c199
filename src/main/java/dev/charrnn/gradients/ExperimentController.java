package dev.charrnn.gradients;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.ProblemResponses;
import dev.charrnn.train.GradientFlowProbe;
import dev.charrnn.training.JobView;
import dev.charrnn.training.TrainingJob;
import dev.charrnn.training.TrainingRequest;
import dev.charrnn.training.TrainingService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

@RestController
@Tag(name = "Experiments", description = "Compare the three cells on your own text")
public class ExperimentController {

    private final TrainingService training;
    private final Map<String, List<String>> experiments = new ConcurrentHashMap<>();

    public ExperimentController(TrainingService training) {
        this.training = training;
    }

    @PostMapping("/api/experiments/cell-comparison")
    @ProblemResponses({400, 404, 409, 415, 503})
    @ApiResponse(responseCode = "202", description = "Queued: Location is the comparison to follow")
    @Operation(operationId = "startCellComparison",
            summary = "Compare RNN, LSTM and GRU", description = "Queues three training jobs with the same spec "
            + "and seed, one per cell, and answers 202 with a Location to follow them side by side: validation bpc, "
            + "gradient flow through time, alert counts. The lesson of the literature on your own text: the gated "
            + "cells keep long-range gradient where the vanilla RNN loses it.")
    public ResponseEntity<CellComparison> compare(@Valid @RequestBody CellComparisonRequest request) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String prefix = request.namePrefix() != null ? request.namePrefix() : "compare-" + id;
        ModelSpec base = request.spec() != null ? request.spec() : ModelSpec.defaults();
        List<String> jobs = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            ModelSpec spec = new ModelSpec(cell, base.layers(), base.hiddenSize(), base.dropout(), base.seqLength(),
                    base.batchSize(), base.learningRate(), base.optimizer(), base.learningRateDecay(), base.weightInit(),
                    base.gradientClipping(), base.seed(), base.statsEvery(), base.flowEvery());
            String model = prefix + "-" + cell.name().toLowerCase(Locale.ROOT);
            try {
                jobs.add(training.submit(TrainingRequest.of(request.corpusId(), model, spec, request.schedule())).id());
            } catch (ApiException e) {
                jobs.forEach(training::cancel);
                throw e;
            }
        }
        experiments.put(id, jobs);
        return ResponseEntity.accepted().location(URI.create("/api/experiments/cell-comparison/" + id)).body(view(id));
    }

    @GetMapping("/api/experiments/cell-comparison/{id}")
    @ProblemResponses({404})
    @Operation(operationId = "getCellComparison",
            summary = "One cell comparison", description = "The three runs side by side")
    public CellComparison get(@PathVariable String id) {
        if (!experiments.containsKey(id)) {
            throw ApiException.notFound("No cell comparison with id '" + id + "'.");
        }
        return view(id);
    }

    private CellComparison view(String id) {
        List<CellComparison.Run> runs = new ArrayList<>();
        for (String jobId : experiments.getOrDefault(id, List.of())) {
            TrainingJob job = training.get(jobId);
            JobView v = job.view();
            GradientFlowProbe.Flow flow = job.lastFlow();
            runs.add(new CellComparison.Run(v.spec().cell().name(), v.modelName(), jobId, v.state().name(), v.valBpc(),
                    flow == null ? null : Arrays.stream(flow.norms()).boxed().toList(),
                    flow == null ? null : flow.firstToLastRatio(), v.alerts().size()));
        }
        return new CellComparison(id, runs);
    }
}
