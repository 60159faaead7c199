package dev.charrnn.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.stream.Stream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.util.FileSystemUtils;

import dev.charrnn.corpus.CharVocabulary;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.AtomicFiles;
import dev.charrnn.system.CharRnnProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * Models on disk, one directory each: {@code model.zip} (weights and optimizer state, so training
 * can resume) and {@code model.json} ({@link ModelMetadata}). The zip is written before the json,
 * so a model is visible only once both are complete.
 */
@Service
public class ModelStore {

    static final String WEIGHTS = "model.zip";
    static final String METADATA = "model.json";
    static final String CHECKPOINT = "checkpoint.zip";
    private static final String CHECKPOINT_INFO = "charrnn-checkpoint.json";
    private static final Logger log = LoggerFactory.getLogger(ModelStore.class);

    private final Path root;
    private final JsonMapper json;
    private final long cacheBytes;
    /** Loaded models, least recently used first; bounded by the weights' size in memory. */
    private final LinkedHashMap<String, LoadedModel> loaded = new LinkedHashMap<>(16, 0.75f, true);

    public ModelStore(CharRnnProperties properties, JsonMapper json) {
        this.root = properties.storage().modelsDir();
        this.json = json;
        this.cacheBytes = properties.limits().modelCacheSize().toBytes();
    }

    public boolean exists(String name) {
        return Files.isRegularFile(directory(name).resolve(METADATA));
    }

    public ModelMetadata metadata(String name) {
        Path file = directory(name).resolve(METADATA);
        if (!Files.isRegularFile(file)) {
            throw ApiException.notFound("No model named '" + name + "'. GET /api/models lists the trained ones.");
        }
        return json.readValue(file.toFile(), ModelMetadata.class);
    }

    public List<ModelMetadata> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(dir -> Files.isRegularFile(dir.resolve(METADATA)))
                    .map(this::readQuietly)
                    .filter(Objects::nonNull)
                    .sorted(Comparator.comparing(ModelMetadata::createdAt))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + root, e);
        }
    }

    public void save(ModelMetadata metadata, MultiLayerNetwork network) {
        Path dir = directory(metadata.name());
        AtomicFiles.write(dir.resolve(WEIGHTS), file -> ModelSerializer.writeModel(network, file.toFile(), true));
        AtomicFiles.write(dir.resolve(METADATA), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(metadata));
        evict(metadata.name());
        log.info("saved model {} to {}", metadata.name(), dir.toAbsolutePath());
    }

    /** A JSON document beside the model (its gradient history, say), written atomically. */
    public void saveDocument(String name, String file, Object document) {
        AtomicFiles.write(directory(name).resolve(file), json.writeValueAsBytes(document));
    }

    public <T> java.util.Optional<T> readDocument(String name, String file, Class<T> type) {
        Path path = directory(name).resolve(file);
        if (!Files.isRegularFile(path)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(json.readValue(path.toFile(), type));
    }

    /** A checkpoint: weights with optimizer state, and what the trainer recorded with them. */
    public record Checkpoint(MultiLayerNetwork network, String info) {
    }

    /**
     * The latest state of a running job (weights, optimizer state, and {@code info} inside the same
     * zip, so the two can never disagree), replaced atomically.
     */
    public void saveCheckpoint(String name, MultiLayerNetwork network, String info) {
        AtomicFiles.write(directory(name).resolve(CHECKPOINT), file -> {
            ModelSerializer.writeModel(network, file.toFile(), true);
            ModelSerializer.addObjectToFile(file.toFile(), CHECKPOINT_INFO, info);
        });
    }

    public java.util.Optional<Checkpoint> loadCheckpoint(String name) {
        Path zip = directory(name).resolve(CHECKPOINT);
        if (!Files.isRegularFile(zip)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new Checkpoint(ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true),
                    ModelSerializer.getObjectFromFile(zip.toFile(), CHECKPOINT_INFO)));
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable checkpoint {}: {}", zip, e.getMessage());
            return java.util.Optional.empty();
        }
    }

    public void deleteCheckpoint(String name) {
        try {
            Files.deleteIfExists(directory(name).resolve(CHECKPOINT));
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the checkpoint of " + name, e);
        }
    }

    /** The model's weights and optimizer state, read from disk, for further training. */
    public MultiLayerNetwork loadForTraining(String name) {
        metadata(name);
        Path zip = directory(name).resolve(WEIGHTS);
        try {
            return ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("could not load model " + name + " from " + zip, e);
        }
    }

    /** The model's weights in memory, loaded once and shared. */
    public LoadedModel load(String name) {
        ModelMetadata metadata = metadata(name);
        synchronized (loaded) {
            LoadedModel cached = loaded.get(name);
            if (cached != null && cached.metadata().equals(metadata)) {
                return cached;
            }
        }
        LoadedModel fresh = read(metadata);
        synchronized (loaded) {
            loaded.put(name, fresh);
            long total = loaded.values().stream().mapToLong(LoadedModel::bytes).sum();
            var oldest = loaded.entrySet().iterator();
            while (total > cacheBytes && oldest.hasNext()) {
                var entry = oldest.next();
                if (!entry.getKey().equals(name)) {
                    total -= entry.getValue().bytes();
                    oldest.remove();
                }
            }
        }
        return fresh;
    }

    /** Bytes of the model's weights file on disk. */
    public long sizeBytes(String name) {
        try {
            return Files.size(directory(name).resolve(WEIGHTS));
        } catch (IOException e) {
            return 0;
        }
    }

    /** Names of the models held in memory, least recently used first. */
    public List<String> cached() {
        synchronized (loaded) {
            return List.copyOf(loaded.keySet());
        }
    }

    private void evict(String name) {
        synchronized (loaded) {
            loaded.remove(name);
        }
    }

    public void delete(String name) {
        metadata(name);
        evict(name);
        try {
            FileSystemUtils.deleteRecursively(directory(name));
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete model " + name, e);
        }
    }

    /** The directory of a model; the name is validated so it cannot leave the models root. */
    public Path directory(String name) {
        Path dir = root.resolve(ModelNames.requireValid(name)).normalize();
        if (!Objects.equals(dir.getParent(), root.normalize())) {
            throw ApiException.badRequest("Model name '" + name + "' does not name a directory inside the models store.");
        }
        return dir;
    }

    private LoadedModel read(ModelMetadata metadata) {
        Path zip = directory(metadata.name()).resolve(WEIGHTS);
        try {
            MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
            return new LoadedModel(metadata, CharVocabulary.fromCodePoints(metadata.vocabulary()), network);
        } catch (IOException e) {
            throw new UncheckedIOException("could not load model " + metadata.name() + " from " + zip, e);
        }
    }

    private ModelMetadata readQuietly(Path dir) {
        try {
            return json.readValue(dir.resolve(METADATA).toFile(), ModelMetadata.class);
        } catch (RuntimeException e) {
            log.warn("skipping unreadable model metadata in {}: {}", dir, e.getMessage());
            return null;
        }
    }
}
