package dev.charrnn.system;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Storage refused a write (a full disk, an I/O error). Nothing visible changed: the previous files
 * are intact. The message names the path and the cause, for a job's reason and a 507 detail.
 */
public final class StorageException extends RuntimeException {

    private StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public static StorageException writing(Path path, Throwable cause) {
        return new StorageException("could not write " + path.toAbsolutePath() + ": " + reason(cause), cause);
    }

    /** The operating system's words ("No space left on device"), without the temp file's name. */
    private static String reason(Throwable cause) {
        Throwable io = cause;
        while (io != null && !(io instanceof IOException)) {
            io = io.getCause();
        }
        if (io instanceof FileSystemException file && file.getReason() != null) {
            return file.getReason();
        }
        Throwable shown = io != null ? io : cause;
        return shown.getMessage() != null ? shown.getMessage() : shown.getClass().getSimpleName();
    }
}
