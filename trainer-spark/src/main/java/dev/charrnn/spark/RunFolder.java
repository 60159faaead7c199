package dev.charrnn.spark;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import dev.charrnn.train.spark.SparkRunFiles;

/**
 * The run folder through Hadoop's FileSystem, so the same job reads and writes a local path
 * (local[N], a shared mount), hdfs:// or s3a://. Files are written whole, then renamed into place.
 */
final class RunFolder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final FileSystem fs;

    RunFolder(String uri, Configuration hadoop) throws IOException {
        this.dir = new Path(uri);
        this.fs = dir.getFileSystem(hadoop);
        fs.setWriteChecksum(false); // no .crc files beside the outputs on a local file system
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    /** The folder's own name, for files the run keeps elsewhere. */
    String name() {
        return dir.getName();
    }

    /** The URI of a file or folder inside this one. */
    String child(String name) {
        return new Path(dir, name).toString();
    }

    /** Best effort: a run's scratch files must not outlive it, but their removal failing is no failure. */
    static void deleteQuietly(String uri, Configuration hadoop) {
        try {
            Path path = new Path(uri);
            path.getFileSystem(hadoop).delete(path, true);
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(RunFolder.class).warn("could not delete {}: {}", uri, e.toString());
        }
    }

    <T> T readJson(String name, Class<T> type) throws IOException {
        try (InputStream in = fs.open(new Path(dir, name))) {
            return JSON.readValue(in, type);
        }
    }

    void writeJson(String name, Object value) throws IOException {
        Path tmp = new Path(dir, "." + name + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            JSON.writerWithDefaultPrettyPrinter().writeValue(out, value);
        }
        moveIntoPlace(tmp, new Path(dir, name));
    }

    /** The network with its updater state, so the service can continue training it. */
    void writeModel(MultiLayerNetwork network) throws IOException {
        File local = File.createTempFile("char-rnn-model", ".zip");
        try {
            ModelSerializer.writeModel(network, local, true);
            Path tmp = new Path(dir, "." + SparkRunFiles.MODEL + ".tmp");
            fs.copyFromLocalFile(false, true, new Path(local.toURI()), tmp);
            moveIntoPlace(tmp, new Path(dir, SparkRunFiles.MODEL));
        } finally {
            local.delete();
        }
    }

    void markSuccess() throws IOException {
        fs.create(new Path(dir, SparkRunFiles.SUCCESS), true).close();
    }

    /** HDFS's rename does not replace an existing file. */
    private void moveIntoPlace(Path tmp, Path target) throws IOException {
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename " + tmp + " to " + target);
        }
    }
}
