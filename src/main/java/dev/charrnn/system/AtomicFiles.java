package dev.charrnn.system;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes files so that readers only ever see the old content or the complete new content:
 * write a temp file in the same directory, fsync it, then rename it over the target. A write that
 * fails (a full disk, an I/O error) leaves the target as it was and no temp file behind, and
 * throws {@link StorageException}.
 */
public final class AtomicFiles {

    /** Fills the given (temporary) file. */
    @FunctionalInterface
    public interface FileWriter {
        void writeTo(Path file) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) {
        write(target, file -> Files.write(file, content));
    }

    public static void write(Path target, FileWriter writer) {
        LinkedHashMap<Path, FileWriter> one = new LinkedHashMap<>();
        one.put(target, writer);
        writeAll(one);
    }

    /**
     * Writes several files that belong together: all are written in full first, then renamed in
     * the given order, so a failure leaves every one of them unchanged (renames need no space).
     */
    public static void writeAll(LinkedHashMap<Path, FileWriter> files) {
        List<Path> temps = new ArrayList<>();
        Path target = null;
        try {
            for (Map.Entry<Path, FileWriter> file : files.entrySet()) {
                target = file.getKey();
                temps.add(stage(target, file.getValue()));
            }
            int i = 0;
            for (Path each : files.keySet()) {
                target = each;
                Files.move(temps.get(i++), each, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                syncDirectory(each.toAbsolutePath().getParent());
            }
        } catch (IOException | RuntimeException e) {
            temps.forEach(AtomicFiles::deleteQuietly);
            if (e instanceof RuntimeException runtime && !(e.getCause() instanceof IOException)) {
                throw runtime;
            }
            throw StorageException.writing(target, e);
        }
    }

    /** Writes and fsyncs a temp file beside the target. */
    private static Path stage(Path target, FileWriter writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            writer.writeTo(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            return temp;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /** Makes the rename itself durable; not every file system allows opening a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the temp name starts with a dot and ends in .tmp; it never shadows real content
        }
    }
}
