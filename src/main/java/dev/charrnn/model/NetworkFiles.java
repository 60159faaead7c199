package dev.charrnn.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import dev.charrnn.nn.FusedRecurrentLayer;

/**
 * Reads a saved network, including one saved before the layers moved to the core module: DL4J
 * keeps each layer's class name in the zip's configuration.json, and those names changed from
 * {@code dev.charrnn.model.layers} to {@code dev.charrnn.nn}. Such a zip is read through a
 * renamed copy; the file itself is left as it is.
 */
final class NetworkFiles {

    static final String CONFIGURATION = "configuration.json";
    static final String OLD_LAYER_PACKAGE = "dev.charrnn.model.layers.";
    private static final String LAYER_PACKAGE = FusedRecurrentLayer.class.getPackageName() + ".";

    private NetworkFiles() {
    }

    static MultiLayerNetwork restore(Path zip, boolean withUpdater) throws IOException {
        if (!namesOldLayers(zip)) {
            return ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), withUpdater);
        }
        Path renamed = Files.createTempFile(zip.getParent(), ".renamed-", ".zip");
        try {
            copyRenamingLayers(zip, renamed);
            return ModelSerializer.restoreMultiLayerNetwork(renamed.toFile(), withUpdater);
        } finally {
            Files.deleteIfExists(renamed);
        }
    }

    private static boolean namesOldLayers(Path zip) throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            ZipEntry configuration = file.getEntry(CONFIGURATION);
            return configuration != null && read(file, configuration).contains(OLD_LAYER_PACKAGE);
        }
    }

    private static void copyRenamingLayers(Path from, Path to) throws IOException {
        try (ZipFile file = new ZipFile(from.toFile()); OutputStream out = Files.newOutputStream(to);
             ZipOutputStream zip = new ZipOutputStream(out)) {
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                zip.putNextEntry(new ZipEntry(entry.getName()));
                if (entry.getName().equals(CONFIGURATION)) {
                    zip.write(read(file, entry).replace(OLD_LAYER_PACKAGE, LAYER_PACKAGE).getBytes(StandardCharsets.UTF_8));
                } else {
                    try (InputStream in = file.getInputStream(entry)) {
                        in.transferTo(zip);
                    }
                }
                zip.closeEntry();
            }
        }
    }

    private static String read(ZipFile file, ZipEntry entry) throws IOException {
        try (InputStream in = file.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
