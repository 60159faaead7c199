package dev.charrnn.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Collections;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.springframework.stereotype.Service;
import org.springframework.util.FileSystemUtils;

import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.StorageException;
import dev.charrnn.text.CharVocabulary;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model as one zip (model.json + model.zip): everything needed to serve it elsewhere. Imports
 * are unpacked into a hidden staging directory, checked completely (metadata readable, weights
 * loadable and matching the vocabulary), and only then renamed into place: never half a model.
 */
@Service
public class ModelArchive {

    private static final Set<String> ENTRIES = Set.of(ModelStore.METADATA, ModelStore.WEIGHTS);

    private final ModelStore store;
    private final ModelWriters writers;
    private final JsonMapper json;
    private final long maxBytes;

    public ModelArchive(ModelStore store, ModelWriters writers, JsonMapper json, CharRnnProperties properties) {
        this.store = store;
        this.writers = writers;
        this.json = json;
        this.maxBytes = properties.limits().maxModelImportSize().toBytes();
    }

    public void export(String name, OutputStream out) throws IOException {
        store.metadata(name);
        Path dir = store.directory(name);
        ZipOutputStream zip = new ZipOutputStream(out);
        for (String entry : new String[] {ModelStore.METADATA, ModelStore.WEIGHTS}) {
            zip.putNextEntry(new ZipEntry(entry));
            Files.copy(dir.resolve(entry), zip);
            zip.closeEntry();
        }
        zip.finish();
    }

    public ModelMetadata importModel(String name, InputStream upload, long size) {
        Path target = store.directory(name);
        if (size > maxBytes) {
            throw ApiException.tooLarge("The archive is " + size + " bytes; the limit is " + maxBytes
                    + " (charrnn.limits.max-model-import-size).");
        }
        if (store.exists(name) || writers.writes(name)) {
            throw ApiException.conflict("A model named '" + name + "' exists or is being trained. Import under "
                    + "another name or delete it first.");
        }
        Path staging = target.resolveSibling(".import-" + UUID.randomUUID());
        try {
            unpack(upload, staging);
            ModelMetadata metadata = validate(name, staging);
            writeStaged(staging.resolve(ModelStore.METADATA),
                    json.writerWithDefaultPrettyPrinter().writeValueAsBytes(metadata));
            FileSystemUtils.deleteRecursively(target); // leftovers of a job that never finished
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return metadata;
        } catch (IOException e) {
            throw ApiException.badRequest("The archive could not be read (" + e.getMessage() + "). Upload a zip "
                    + "made by GET /api/models/{name}/download.");
        } finally {
            deleteQuietly(staging);
        }
    }

    /** A write into the staging folder; its failure is the server's storage, not the upload. */
    private static void writeStaged(Path file, byte[] content) {
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw StorageException.writing(file, e);
        }
    }

    private void unpack(InputStream upload, Path staging) throws IOException {
        try {
            Files.createDirectories(staging);
        } catch (IOException e) {
            throw StorageException.writing(staging, e);
        }
        int found = 0;
        try (ZipInputStream zip = new ZipInputStream(upload)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (ENTRIES.contains(entry.getName())) {
                    copyEntry(zip, staging.resolve(entry.getName()));
                    found++;
                }
            }
        }
        if (found < ENTRIES.size()) {
            throw ApiException.badRequest("The archive must hold model.json and model.zip at its top level, as "
                    + "GET /api/models/{name}/download makes them; this one holds " + found + " of them.");
        }
    }

    /** Reading the upload can fail (a bad archive: 400); writing the copy can fail too (storage: 507). */
    private static void copyEntry(ZipInputStream zip, Path file) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = create(file)) {
            for (int read = zip.read(buffer); read >= 0; read = zip.read(buffer)) {
                write(out, buffer, read, file);
            }
        }
    }

    private static OutputStream create(Path file) {
        try {
            return Files.newOutputStream(file);
        } catch (IOException e) {
            throw StorageException.writing(file, e);
        }
    }

    private static void write(OutputStream out, byte[] buffer, int length, Path file) {
        try {
            out.write(buffer, 0, length);
        } catch (IOException e) {
            throw StorageException.writing(file, e);
        }
    }

    private ModelMetadata validate(String name, Path staging) {
        ModelMetadata metadata;
        try {
            metadata = json.readValue(staging.resolve(ModelStore.METADATA).toFile(), ModelMetadata.class);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("model.json in the archive is not valid model metadata: " + e.getMessage());
        }
        if (metadata.spec() == null || metadata.vocabulary() == null || metadata.vocabulary().isEmpty()) {
            throw ApiException.badRequest("model.json in the archive lacks its spec or vocabulary.");
        }
        int vocabularySize;
        try {
            vocabularySize = CharVocabulary.fromCodePoints(metadata.vocabulary()).size();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("model.json in the archive has a vocabulary with repeated characters.");
        }
        MultiLayerNetwork network;
        try {
            network = NetworkFiles.restore(staging.resolve(ModelStore.WEIGHTS), false);
        } catch (Exception | Error e) {
            throw ApiException.badRequest("model.zip in the archive is not a loadable network (" + e.getClass().getSimpleName() + ").");
        }
        long inputs = network.layerInputSize(0);
        long outputs = network.layerSize(network.getnLayers() - 1);
        if (inputs != vocabularySize || outputs != vocabularySize) {
            throw ApiException.badRequest("The network reads " + inputs + " and predicts " + outputs
                    + " characters, but model.json lists a vocabulary of " + vocabularySize + ".");
        }
        boolean countsFit = metadata.charCounts() != null && metadata.charCounts().size() == vocabularySize;
        return new ModelMetadata(name, metadata.spec(), metadata.vocabulary(),
                countsFit ? metadata.charCounts() : Collections.nCopies(vocabularySize, 1L),
                metadata.corpusId(), network.numParams(), metadata.metrics(), metadata.history(), metadata.backend(),
                metadata.createdAt() != null ? metadata.createdAt() : Instant.now());
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileSystemUtils.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
