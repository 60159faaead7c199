package dev.charrnn.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import dev.charrnn.nn.Compute;
import dev.charrnn.sample.InferenceNetwork;
import dev.charrnn.text.CharVocabulary;

/**
 * A model in memory. {@code network} is shared and must not be run directly (DL4J networks are
 * not thread-safe and keep recurrent state inside); take a private {@link #newSession} per use.
 * {@code inference} is the same weights compiled for generation, safe to share.
 */
public record LoadedModel(ModelMetadata metadata, CharVocabulary vocabulary, MultiLayerNetwork network,
                          InferenceNetwork inference) {

    public LoadedModel(ModelMetadata metadata, CharVocabulary vocabulary, MultiLayerNetwork network) {
        this(metadata, vocabulary, network, InferenceNetwork.of(network));
    }

    /** Memory the weights take (float parameters), counting the inference copy. */
    public long bytes() {
        return 2 * network.numParams() * Float.BYTES;
    }

    /** A network of its own that shares this model's weights (about 0.3 ms, no weight copy), computing as told. */
    public MultiLayerNetwork newSession(Compute compute) {
        MultiLayerNetwork session = new MultiLayerNetwork(network.getLayerWiseConfigurations().clone());
        session.init(network.params(), false);
        return compute.applyTo(session);
    }
}
