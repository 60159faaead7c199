package dev.charrnn.model;

import org.springframework.stereotype.Component;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;

/** Checks a spec against the configured limits; each refusal names the field and its range. */
@Component
public class ModelSpecValidator {

    private final CharRnnProperties.Limits limits;

    public ModelSpecValidator(CharRnnProperties properties) {
        this.limits = properties.limits();
    }

    public void validate(ModelSpec spec) {
        requireRange("spec.layers", spec.layers(), 1, limits.maxLayers(), "max-layers");
        requireRange("spec.hiddenSize", spec.hiddenSize(), 1, limits.maxHiddenSize(), "max-hidden-size");
        requireRange("spec.seqLength", spec.seqLength(), 1, limits.maxSeqLength(), "max-seq-length");
        requireRange("spec.batchSize", spec.batchSize(), 1, limits.maxBatchSize(), "max-batch-size");
        requireFinite("spec.learningRate", spec.learningRate());
        requireFinite("spec.dropout", spec.dropout());
    }

    public static void requireRange(String field, long value, long min, long max, String limitProperty) {
        if (value < min || value > max) {
            throw ApiException.badRequest(field + " must be between " + min + " and " + max
                    + " (limit charrnn.limits." + limitProperty + "); got " + value + ".");
        }
    }

    private static void requireFinite(String field, double value) {
        if (!Double.isFinite(value)) {
            throw ApiException.badRequest(field + " must be a finite number; got " + value + ".");
        }
    }
}
