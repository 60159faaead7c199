package dev.charrnn.gradients;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.ProblemResponses;
import dev.charrnn.train.GradientStats;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;

@RestController
@Tag(name = "Gradients", description = "Gradient statistics recorded while training, and probes inside a model's cells")
public class GradientController {

    private final GradientService gradients;

    public GradientController(GradientService gradients) {
        this.gradients = gradients;
    }

    @PostMapping("/api/models/{name}/gradient-flow")
    @ProblemResponses({400, 404, 409, 415})
    @Operation(operationId = "measureGradientFlow",
            summary = "Gradient flow through time", description = "The norm of dL_T/dx_t for t = 1..T, L_T being "
            + "the loss of the last step only: how far back the model's error signal reaches. A vanilla RNN's "
            + "vanishes within a few dozen steps; a trained LSTM or GRU keeps far more of it.")
    public GradientFlowResponse flow(@Parameter(example = "demo") @PathVariable String name,
                                     @Valid @RequestBody(required = false)
                                     GradientFlowRequest request) {
        return gradients.flow(name, request != null ? request : new GradientFlowRequest(null, null));
    }

    @PostMapping("/api/models/{name}/activations")
    @ProblemResponses({400, 404, 409, 415})
    @Operation(operationId = "getUnitActivations",
            summary = "Unit activations over a text", description = "Runs the text through the model and returns, "
            + "for every character, the chosen units' hidden values h of one recurrent layer (and an LSTM's memory "
            + "cells c). It also ranks all the layer's units by |Pearson correlation| with simple features of the "
            + "text (inside double quotes, bracket depth, characters since the newline, whitespace, start of a word) "
            + "and names the top units of each: the interpretable cells of Karpathy, Johnson and Fei-Fei (2015).")
    public ActivationsResponse activations(@Parameter(example = "demo") @PathVariable String name,
                                           @Valid @RequestBody ActivationsRequest request) {
        return gradients.activations(name, request);
    }

    @GetMapping(value = "/api/training-jobs/{id}/gradients", produces = {MediaType.APPLICATION_JSON_VALUE, "text/csv"})
    @ProblemResponses({400, 404})
    @Operation(operationId = "getTrainingJobGradients",
            summary = "Gradient statistics of a job", description = "Every spec.statsEvery iterations: per layer, "
            + "parameter and gate, the per-character gradient norm before and after clipping, mean and max |g|, "
            + "NaN/Inf count and log10 update:param ratio, plus the global norm and whether clipping fired; lambda1 "
            + "of every recurrent gate block with Pascanu's reading (spectrum), and each gate's saturation on a "
            + "validation window (saturation). Older points are thinned out, the newest always kept. ?format=csv "
            + "for CSV (gates as rows whose param is act:<gate>).")
    public ResponseEntity<?> job(@PathVariable String id,
                                 @Parameter(description = "First iteration to include") @RequestParam(required = false) Long from,
                                 @Parameter(description = "Last iteration to include") @RequestParam(required = false) Long to,
                                 @Parameter(description = "Only this layer") @RequestParam(required = false) Integer layer,
                                 @Parameter(description = "json (default) or csv") @RequestParam(defaultValue = "json") String format) {
        requireFormat(format);
        return respond(gradients.ofJob(id, from, to, layer), format);
    }

    @GetMapping(value = "/api/models/{name}/gradients", produces = {MediaType.APPLICATION_JSON_VALUE, "text/csv"})
    @ProblemResponses({400, 404})
    @Operation(operationId = "getModelGradients",
            summary = "Gradient statistics saved with a model", description = "The history of the job that "
            + "trained it, as /api/training-jobs/{id}/gradients returns it; survives restarts.")
    public ResponseEntity<?> model(@Parameter(example = "demo") @PathVariable String name,
                                   @RequestParam(required = false) Long from,
                                   @RequestParam(required = false) Long to,
                                   @RequestParam(required = false) Integer layer,
                                   @RequestParam(defaultValue = "json") String format) {
        requireFormat(format);
        return respond(gradients.ofModel(name, from, to, layer), format);
    }

    private static void requireFormat(String format) {
        if (!format.equals("json") && !format.equals("csv")) {
            throw ApiException.badRequest("format must be json or csv; got '" + format + "'.");
        }
    }

    private static ResponseEntity<?> respond(List<GradientStats> points, String format) {
        if (format.equals("csv")) {
            return ResponseEntity.ok().contentType(MediaType.parseMediaType("text/csv")).body(GradientCsv.of(points));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(points);
    }
}
