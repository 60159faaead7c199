package dev.charrnn.generation;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;

import dev.charrnn.corpus.CharVocabulary;
import dev.charrnn.model.LoadedModel;
import dev.charrnn.model.ModelSpecValidator;
import dev.charrnn.model.ModelStore;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.Nd4jRuntime;

/** Serves generation requests: one private network session per request over shared weights. */
@Service
public class GenerationService {

    private final ModelStore models;
    private final CharRnnProperties.Limits limits;
    private final Semaphore slots;
    private final Nd4jRuntime nd4j;

    public GenerationService(ModelStore models, CharRnnProperties properties, Nd4jRuntime nd4j) {
        this.models = models;
        this.nd4j = nd4j;
        this.limits = properties.limits();
        this.slots = new Semaphore(limits.maxConcurrentGenerations());
    }

    public GenerateResponse generate(String modelName, GenerateRequest request) {
        ModelSpecValidator.requireRange("length", request.length(), 1, limits.maxGenerateLength(),
                "max-generate-length");
        LoadedModel model = models.load(modelName);
        requireKnown(model.vocabulary(), request.prime());
        long seed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong(1L << 48);
        if (!slots.tryAcquire()) {
            throw ApiException.busy("All " + limits.maxConcurrentGenerations() + " generation slots are busy "
                    + "(charrnn.limits.max-concurrent-generations). Retry in a moment.", 1);
        }
        try {
            nd4j.applyToCurrentThread();
            long start = System.nanoTime();
            String text = Sampler.sample(model.newSession(), model.vocabulary(), counts(model),
                    new SamplingParams(request.prime(), request.length(), request.temperature(), seed));
            double seconds = (System.nanoTime() - start) / 1e9;
            return new GenerateResponse(modelName, List.of(new GenerateResponse.Sample(text, "length")), seed,
                    seconds * 1000, request.length() / seconds);
        } finally {
            slots.release();
        }
    }

    private static void requireKnown(CharVocabulary vocabulary, String prime) {
        Set<Integer> unknown = vocabulary.unknownIn(prime);
        if (!unknown.isEmpty()) {
            throw ApiException.badRequest("prime contains characters the model never saw: "
                    + unknown.stream().limit(20).map(CharVocabulary::describe).collect(Collectors.joining(", "))
                    + (unknown.size() > 20 ? " and " + (unknown.size() - 20) + " more" : "")
                    + ". Remove them or use a model trained on a corpus that has them.");
        }
    }

    private static long[] counts(LoadedModel model) {
        return model.metadata().charCounts().stream().mapToLong(Long::longValue).toArray();
    }
}
