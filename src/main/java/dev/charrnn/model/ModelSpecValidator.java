package dev.charrnn.model;

import org.springframework.stereotype.Component;

import dev.charrnn.nn.ModelSpec;
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

    /**
     * Refuses a network that cannot be trained in the memory ND4J may use. Estimate: weights,
     * gradients, optimizer state and the best-weights copy (6 floats per parameter) plus the
     * activations and gate values kept for backpropagation through one window (x3 for working copies).
     */
    public void requireFits(ModelSpec spec, int vocabularySize, long availableBytes) {
        long parameters = parameters(spec, vocabularySize);
        requireRange("estimated parameter count", parameters, 1, limits.maxParameters(), "max-parameters");
        long gates = switch (spec.cell()) {
            case RNN -> 1;
            case GRU -> 3;
            case LSTM -> 4;
        };
        long activations = (long) spec.batchSize() * spec.seqLength()
                * (spec.layers() * spec.hiddenSize() * (gates + 3) + 3L * vocabularySize);
        long bytes = Float.BYTES * (6 * parameters + 3 * activations);
        if (bytes > availableBytes * 0.8) {
            throw ApiException.badRequest("This network needs about " + (bytes >> 20) + " MB to train but the server "
                    + "allows ND4J " + (availableBytes >> 20) + " MB (-Dorg.bytedeco.javacpp.maxbytes). Lower hiddenSize, "
                    + "layers, batchSize or seqLength.");
        }
    }

    /** Trainable parameters of the network a spec describes. */
    public static long parameters(ModelSpec spec, int vocabularySize) {
        long gates = switch (spec.cell()) {
            case RNN -> 1;
            case GRU -> 3;
            case LSTM -> 4;
        };
        long n = spec.hiddenSize();
        long recurrent = gates * n * (vocabularySize + n + 1) + (spec.layers() - 1L) * gates * n * (2 * n + 1);
        return recurrent + n * vocabularySize + vocabularySize;
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
