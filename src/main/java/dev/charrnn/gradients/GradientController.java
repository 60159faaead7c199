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
import dev.charrnn.training.TrainingService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@Tag(name = "Gradients", description = "Gradient statistics recorded while training")
public class GradientController {

    private final TrainingService training;
    private final ModelStore models;

    public GradientController(TrainingService training, ModelStore models) {
        this.training = training;
        this.models = models;
    }

    @GetMapping(value = "/api/training-jobs/{id}/gradients", produces = {MediaType.APPLICATION_JSON_VALUE, "text/csv"})
    @Operation(summary = "Gradient statistics of a job", description = "Every spec.statsEvery iterations: per layer, "
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
    @Operation(summary = "Gradient statistics saved with a model", description = "The history of the job that "
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
