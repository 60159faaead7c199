package dev.charrnn.gradients;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.charrnn.model.ModelStore;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.ProblemResponses;
import dev.charrnn.training.TrainingService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@Tag(name = "Gradients", description = "Gradient statistics recorded while training")
public class GradientController {

    private static final int DEFAULT_STEPS = 100;

    private final TrainingService training;
    private final ModelStore models;
    private final dev.charrnn.corpus.CorpusStore corpora;
    private final dev.charrnn.system.Nd4jRuntime nd4j;
    private final int maxSteps;

    public GradientController(TrainingService training, ModelStore models, dev.charrnn.corpus.CorpusStore corpora,
                              dev.charrnn.system.Nd4jRuntime nd4j, dev.charrnn.system.CharRnnProperties properties) {
        this.training = training;
        this.models = models;
        this.corpora = corpora;
        this.nd4j = nd4j;
        this.maxSteps = properties.limits().maxSeqLength();
    }

    @org.springframework.web.bind.annotation.PostMapping("/api/models/{name}/gradient-flow")
    @ProblemResponses({400, 404, 409, 415})
    @Operation(operationId = "measureGradientFlow",
            summary = "Gradient flow through time", description = "The norm of dL_T/dx_t for t = 1..T, L_T being "
            + "the loss of the last step only: how far back the model's error signal reaches. A vanilla RNN's "
            + "vanishes within a few dozen steps; a trained LSTM or GRU keeps far more of it.")
    public GradientFlowResponse flow(@Parameter(example = "demo") @PathVariable String name,
                                     @jakarta.validation.Valid @org.springframework.web.bind.annotation.RequestBody(required = false)
                                     GradientFlowRequest request) {
        GradientFlowRequest r = request != null ? request : new GradientFlowRequest(null, null);
        var model = models.load(name);
        String text = r.text() != null ? r.text() : validationText(model.metadata());
        var unknown = model.vocabulary().unknownIn(text);
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("text contains characters the model never saw: "
                    + dev.charrnn.corpus.CharVocabulary.describeAll(unknown) + ".");
        }
        int[] symbols = model.vocabulary().encode(text);
        int steps = r.steps() != null ? r.steps() : Math.min(DEFAULT_STEPS, symbols.length - 1);
        dev.charrnn.model.ModelSpecValidator.requireRange("steps", steps, 2, maxSteps, "max-seq-length");
        if (symbols.length < steps + 1) {
            throw ApiException.badRequest("steps " + steps + " needs a text of at least " + (steps + 1)
                    + " characters; this one has " + symbols.length + ".");
        }
        int[] window = java.util.Arrays.copyOfRange(symbols, symbols.length - steps - 1, symbols.length);
        nd4j.applyToCurrentThread();
        GradientFlowProbe.Flow flow = GradientFlowProbe.measure(model.newSession(), window, model.vocabulary().size());
        return new GradientFlowResponse(name, steps, java.util.Arrays.stream(flow.norms()).boxed().toList(),
                flow.hiddenNorms().stream().map(h -> java.util.Arrays.stream(h).boxed().toList()).toList(),
                flow.firstToLastRatio(), flow.vanishesAfter());
    }

    /** The end of the corpus the model was trained on: its validation split. */
    private String validationText(dev.charrnn.model.ModelMetadata metadata) {
        if (metadata.corpusId() == null) {
            throw ApiException.badRequest("This model was trained on Spark from a corpus on the cluster's storage, "
                    + "which this service does not hold; send a text to measure on.");
        }
        try {
            String text = corpora.readText(metadata.corpusId());
            int codePoints = text.codePointCount(0, text.length());
            return text.substring(text.offsetByCodePoints(text.length(), -Math.min(2000, codePoints)));
        } catch (ApiException e) {
            throw ApiException.badRequest("The corpus this model was trained on is gone; send a text to measure on.");
        }
    }

    @GetMapping(value = "/api/training-jobs/{id}/gradients", produces = {MediaType.APPLICATION_JSON_VALUE, "text/csv"})
    @ProblemResponses({400, 404})
    @Operation(operationId = "getTrainingJobGradients",
            summary = "Gradient statistics of a job", description = "Every spec.statsEvery iterations: per layer, "
            + "parameter and gate, the per-character gradient norm before and after clipping, mean and max |g|, "
            + "NaN/Inf count and log10 update:param ratio, plus the global norm and whether clipping fired. "
            + "Older points are thinned out, the newest always kept. ?format=csv for CSV.")
    public ResponseEntity<?> job(@PathVariable String id,
                                 @Parameter(description = "First iteration to include") @RequestParam(required = false) Long from,
                                 @Parameter(description = "Last iteration to include") @RequestParam(required = false) Long to,
                                 @Parameter(description = "Only this layer") @RequestParam(required = false) Integer layer,
                                 @Parameter(description = "json (default) or csv") @RequestParam(defaultValue = "json") String format) {
        return respond(training.get(id).gradients().points(), from, to, layer, format);
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
        models.metadata(name);
        List<GradientStats> points = models.readDocument(name, TrainingService.GRADIENTS_FILE,
                TrainingService.GradientRecord.class).map(TrainingService.GradientRecord::points).orElse(List.of());
        return respond(points, from, to, layer, format);
    }

    private static ResponseEntity<?> respond(List<GradientStats> points, Long from, Long to, Integer layer, String format) {
        if (!format.equals("json") && !format.equals("csv")) {
            throw ApiException.badRequest("format must be json or csv; got '" + format + "'.");
        }
        List<GradientStats> selected = points.stream()
                .filter(p -> from == null || p.iteration() >= from)
                .filter(p -> to == null || p.iteration() <= to)
                .map(p -> layer == null ? p : new GradientStats(p.iteration(), p.globalNorm(), p.globalNormClipped(),
                        p.clipped(), p.clipScale(), p.params().stream().filter(s -> s.layer() == layer).toList()))
                .toList();
        if (format.equals("csv")) {
            return ResponseEntity.ok().contentType(MediaType.parseMediaType("text/csv")).body(csv(selected));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(selected);
    }

    static String csv(List<GradientStats> points) {
        StringBuilder out = new StringBuilder("iteration,globalNorm,globalNormClipped,clipped,layer,param,norm,"
                + "normClipped,meanAbs,maxAbs,nonFinite,updateRatioLog10\n");
        for (GradientStats p : points) {
            for (ParamStats s : p.params()) {
                out.append(List.of(p.iteration(), p.globalNorm(), p.globalNormClipped(), p.clipped(), s.layer(),
                        s.param(), s.norm(), s.normClipped(), s.meanAbs(), s.maxAbs(), s.nonFinite(),
                        s.updateRatioLog10() == null ? "" : s.updateRatioLog10()).stream()
                        .map(v -> String.format(Locale.ROOT, "%s", v)).collect(Collectors.joining(","))).append('\n');
            }
        }
        return out.toString();
    }
}
