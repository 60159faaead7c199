package dev.charrnn.gradients;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.springframework.stereotype.Service;

import dev.charrnn.corpus.CorpusStore;
import dev.charrnn.model.LoadedModel;
import dev.charrnn.model.ModelMetadata;
import dev.charrnn.model.ModelSpecValidator;
import dev.charrnn.model.ModelStore;
import dev.charrnn.nn.FusedRecurrentLayer;
import dev.charrnn.sample.UnitActivations;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.text.CharVocabulary;
import dev.charrnn.train.GradientFlowProbe;
import dev.charrnn.train.GradientStats;
import dev.charrnn.training.TrainingService;

/**
 * The gradient statistics of jobs and models, and the probes on a stored model: gradient flow
 * through time, and what the units of a layer do over a text.
 */
@Service
public class GradientService {

    private static final int DEFAULT_STEPS = 100;
    /** Characters of the training corpus's end the probe reads when the request gives no text. */
    private static final int VALIDATION_TAIL = 2000;

    private final TrainingService training;
    private final ModelStore models;
    private final CorpusStore corpora;
    private final Nd4jRuntime nd4j;
    private final int maxSteps;
    private final CharRnnProperties.Limits limits;
    /** Units per feature in an activations ranking. */
    private static final int TOP_UNITS = 5;

    public GradientService(TrainingService training, ModelStore models, CorpusStore corpora, Nd4jRuntime nd4j,
                           CharRnnProperties properties) {
        this.training = training;
        this.models = models;
        this.corpora = corpora;
        this.nd4j = nd4j;
        this.maxSteps = properties.limits().maxSeqLength();
        this.limits = properties.limits();
    }

    /** Statistics a running or finished job recorded, filtered. */
    public List<GradientStats> ofJob(String id, Long from, Long to, Integer layer) {
        return select(training.get(id).gradients().points(), from, to, layer);
    }

    /** Statistics saved with a model, filtered; empty for a model trained before they were saved. */
    public List<GradientStats> ofModel(String name, Long from, Long to, Integer layer) {
        models.metadata(name);
        List<GradientStats> points = models.readDocument(name, TrainingService.GRADIENTS_FILE,
                TrainingService.GradientRecord.class).map(TrainingService.GradientRecord::points).orElse(List.of());
        return select(points, from, to, layer);
    }

    /** ||dL_T/dx_t|| for the last {@code steps} steps of the text, or of the model's validation split. */
    public GradientFlowResponse flow(String name, GradientFlowRequest request) {
        LoadedModel model = models.load(name);
        String text = request.text() != null ? request.text() : validationText(model.metadata());
        int[] symbols = encode(model, text);
        int steps = request.steps() != null ? request.steps() : Math.min(DEFAULT_STEPS, symbols.length - 1);
        ModelSpecValidator.requireRange("steps", steps, 2, maxSteps, "max-seq-length");
        if (symbols.length < steps + 1) {
            throw ApiException.badRequest("steps " + steps + " needs a text of at least " + (steps + 1)
                    + " characters; this one has " + symbols.length + ".");
        }
        int[] window = Arrays.copyOfRange(symbols, symbols.length - steps - 1, symbols.length);
        nd4j.applyToCurrentThread();
        GradientFlowProbe.Flow flow = GradientFlowProbe.measure(model.newSession(nd4j.compute()), window, model.vocabulary().size());
        return new GradientFlowResponse(name, steps, Arrays.stream(flow.norms()).boxed().toList(),
                flow.hiddenNorms().stream().map(h -> Arrays.stream(h).boxed().toList()).toList(),
                flow.firstToLastRatio(), flow.vanishesAfter(), flow.contraction());
    }

    /**
     * Every character's values of the chosen units of one recurrent layer, and the layer's units
     * ranked by |correlation| with simple features of the text.
     */
    public ActivationsResponse activations(String name, ActivationsRequest request) {
        LoadedModel model = models.load(name);
        String text = request.text();
        ModelSpecValidator.requireRange("text length", text.codePointCount(0, text.length()), 2,
                limits.maxActivationLength(), "max-activation-length");
        int[] symbols = encode(model, text);
        MultiLayerNetwork session = model.newSession(nd4j.compute());
        List<Integer> recurrent = new ArrayList<>();
        for (int i = 0; i < session.getnLayers(); i++) {
            if (session.getLayer(i) instanceof FusedRecurrentLayer<?>) {
                recurrent.add(i);
            }
        }
        int layer = request.layer() != null ? request.layer() : recurrent.get(recurrent.size() - 1);
        if (!recurrent.contains(layer)) {
            throw ApiException.badRequest("layer " + layer + " is not a recurrent layer of '" + name + "'; its "
                    + "recurrent layers are 0 to " + recurrent.get(recurrent.size() - 1) + ".");
        }
        nd4j.applyToCurrentThread();
        UnitActivations.Recording recording = UnitActivations.record(session, symbols, model.vocabulary().size(), layer);
        int[] codePoints = text.codePoints().toArray();
        List<UnitActivations.FeatureRanking> features = UnitActivations.rank(recording, codePoints, TOP_UNITS);
        List<Integer> units = request.units() != null ? List.copyOf(request.units()) : features.stream()
                .filter(f -> !f.hidden().isEmpty()).map(f -> f.hidden().get(0).unit()).distinct().toList();
        ModelSpecValidator.requireRange("units (count)", units.size(), 0, limits.maxActivationUnits(),
                "max-activation-units");
        for (int unit : units) {
            if (unit >= recording.units()) {
                throw ApiException.badRequest("unit " + unit + " does not exist: layer " + layer + " has units 0 to "
                        + (recording.units() - 1) + ".");
            }
        }
        List<ActivationsResponse.Step> steps = new ArrayList<>(codePoints.length);
        for (int t = 0; t < codePoints.length; t++) {
            steps.add(new ActivationsResponse.Step(new String(Character.toChars(codePoints[t])),
                    pick(recording.hidden()[t], units), recording.cell() == null ? null : pick(recording.cell()[t], units)));
        }
        return new ActivationsResponse(name, layer, model.metadata().spec().cell().name(), recording.units(), units,
                steps, features);
    }

    private static float[] pick(float[] values, List<Integer> units) {
        float[] picked = new float[units.size()];
        for (int i = 0; i < picked.length; i++) {
            picked[i] = values[units.get(i)];
        }
        return picked;
    }

    /** The text as the model's symbols; a character it never saw is a 400 that names it. */
    private static int[] encode(LoadedModel model, String text) {
        Set<Integer> unknown = model.vocabulary().unknownIn(text);
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("text contains characters the model never saw: "
                    + CharVocabulary.describeAll(unknown) + ".");
        }
        return model.vocabulary().encode(text);
    }

    private static List<GradientStats> select(List<GradientStats> points, Long from, Long to, Integer layer) {
        return points.stream()
                .filter(p -> from == null || p.iteration() >= from)
                .filter(p -> to == null || p.iteration() <= to)
                .map(p -> layer == null ? p : p.ofLayer(layer))
                .toList();
    }

    /** The end of the corpus the model was trained on: its validation split. */
    private String validationText(ModelMetadata metadata) {
        if (metadata.corpusId() == null) {
            throw ApiException.badRequest("This model was trained on Spark from a corpus on the cluster's storage, "
                    + "which this service does not hold; send a text to measure on.");
        }
        try {
            String text = corpora.readText(metadata.corpusId());
            int codePoints = text.codePointCount(0, text.length());
            return text.substring(text.offsetByCodePoints(text.length(), -Math.min(VALIDATION_TAIL, codePoints)));
        } catch (ApiException e) {
            throw ApiException.badRequest("The corpus this model was trained on is gone; send a text to measure on.");
        }
    }
}
