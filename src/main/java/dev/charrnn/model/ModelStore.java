package dev.charrnn.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.util.FileSystemUtils;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.AtomicFiles;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.text.CharVocabulary;
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

    /** Models whose files are damaged (a truncated zip, unreadable metadata), with what is wrong. */
    private final Map<String, String> damaged = new ConcurrentHashMap<>();

    public ModelStore(CharRnnProperties properties, JsonMapper json) {
        this.root = properties.storage().modelsDir();
        this.json = json;
        this.cacheBytes = properties.limits().modelCacheSize().toBytes();
        findDamagedModels();
    }

    /** A damaged store is reported, not fatal: each damaged model is left out of the list with a warning. */
    private void findDamagedModels() {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(dir -> !dir.getFileName().toString().startsWith(".") && Files.isRegularFile(dir.resolve(METADATA)))
                    .forEach(dir -> {
                        String problem = problemWith(dir);
                        if (problem != null) {
                            markDamaged(dir.getFileName().toString(), problem);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + root, e);
        }
    }

    /** What keeps a stored model from loading, or null; reads the zip's directory, not the weights. */
    private String problemWith(Path dir) {
        try {
            json.readValue(dir.resolve(METADATA).toFile(), ModelMetadata.class);
        } catch (RuntimeException e) {
            return METADATA + " is unreadable (" + e.getClass().getSimpleName() + ")";
        }
        Path zip = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(zip)) {
            return WEIGHTS + " is missing";
        }
        try (ZipFile weights = new ZipFile(zip.toFile())) {
            if (weights.getEntry("configuration.json") == null || weights.getEntry("coefficients.bin") == null) {
                return WEIGHTS + " holds no DL4J network";
            }
            return null;
        } catch (IOException e) {
            return WEIGHTS + " is truncated or not a zip (" + e.getMessage() + ")";
        }
    }

    private void markDamaged(String name, String problem) {
        damaged.put(name, problem);
        evict(name);
        log.warn("model {} is damaged and left out: {}; DELETE /api/models/{} removes it", name, problem, name);
    }

    private ApiException damagedModel(String name) {
        return ApiException.conflict("Model '" + name + "' is damaged: " + damaged.get(name) + ". DELETE /api/models/"
                + name + " removes it; then train it again or import a good copy.");
    }

    public boolean exists(String name) {
        return Files.isRegularFile(directory(name).resolve(METADATA));
    }

    /** 404 unless a model of that name is stored, damaged or not. */
    public void requireExists(String name) {
        if (!exists(name)) {
            throw ApiException.notFound("No model named '" + name + "'. GET /api/models lists the trained ones.");
        }
    }

    public ModelMetadata metadata(String name) {
        requireExists(name);
        Path file = directory(name).resolve(METADATA);
        if (damaged.containsKey(name)) {
            throw damagedModel(name);
        }
        try {
            return json.readValue(file.toFile(), ModelMetadata.class);
        } catch (RuntimeException e) {
            markDamaged(name, METADATA + " is unreadable (" + e.getClass().getSimpleName() + ")");
            throw damagedModel(name);
        }
    }

    public List<ModelMetadata> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(dir -> Files.isRegularFile(dir.resolve(METADATA)))
                    .filter(dir -> !damaged.containsKey(dir.getFileName().toString()))
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
        byte[] document = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(metadata);
        LinkedHashMap<Path, AtomicFiles.FileWriter> files = new LinkedHashMap<>();
        files.put(dir.resolve(WEIGHTS), file -> ModelSerializer.writeModel(network, file.toFile(), true));
        files.put(dir.resolve(METADATA), file -> Files.write(file, document));
        AtomicFiles.writeAll(files);
        damaged.remove(metadata.name());
        evict(metadata.name());
        log.info("saved model {} to {}", metadata.name(), dir.toAbsolutePath());
    }

    /** A JSON document beside the model (its gradient history, say), written atomically. */
    public void saveDocument(String name, String file, Object document) {
        AtomicFiles.write(directory(name).resolve(file), json.writeValueAsBytes(document));
    }

    public <T> Optional<T> readDocument(String name, String file, Class<T> type) {
        Path path = directory(name).resolve(file);
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        return Optional.of(json.readValue(path.toFile(), type));
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

    public Optional<Checkpoint> loadCheckpoint(String name) {
        Path zip = directory(name).resolve(CHECKPOINT);
        if (!Files.isRegularFile(zip)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Checkpoint(NetworkFiles.restore(zip, true),
                    ModelSerializer.getObjectFromFile(zip.toFile(), CHECKPOINT_INFO)));
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable checkpoint {}: {}", zip, e.getMessage());
            return Optional.empty();
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
            return NetworkFiles.restore(zip, true);
        } catch (IOException | RuntimeException e) {
            markDamaged(name, WEIGHTS + " does not load (" + e.getClass().getSimpleName() + ")");
            throw damagedModel(name);
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

    /** Deletes a model, a damaged one too. */
    public void delete(String name) {
        if (damaged.remove(name) == null) {
            metadata(name);
        }
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
            MultiLayerNetwork network = NetworkFiles.restore(zip, false);
            return new LoadedModel(metadata, CharVocabulary.fromCodePoints(metadata.vocabulary()), network);
        } catch (IOException | RuntimeException e) {
            markDamaged(metadata.name(), WEIGHTS + " does not load (" + e.getClass().getSimpleName() + ")");
            throw damagedModel(metadata.name());
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
