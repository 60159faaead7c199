package dev.charrnn.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

import dev.charrnn.text.OneHot;

/**
 * The training split as files of minibatches, written once per run by the tasks that read the
 * corpus (each from its own range) and fed to DL4J with {@code fitPaths}: the cluster never
 * shuffles or broadcasts the text, and each file holds symbol indices (1, 2 or 4 bytes each), not
 * one-hot floats, which are 100s of times larger. One-hot encoding happens as a worker loads a file.
 *
 * <p>A file holds the examples a worker fits between two parameter averagings (for gradient sharing,
 * whose workers take each file as one minibatch: one minibatch).
 * An example is {@code length + 1} consecutive characters (features and labels shifted by one).
 * Examples do not overlap and do not cross ranges. File k of a range takes its examples k, k + F,
 * k + 2F, ... (F files), so a minibatch draws from the whole range rather than one passage.
 */
final class WindowFiles {

    private static final int MAGIC = 0x43524E57; // "CRNW"

    /** A written file and how many examples it holds (classes, not records, for Spark's Kryo 4). */
    static final class Written implements Serializable {
        private final String path;
        private final int examples;

        Written(String path, int examples) {
            this.path = path;
            this.examples = examples;
        }

        String path() {
            return path;
        }

        int examples() {
            return examples;
        }
    }

    private WindowFiles() {
    }

    /** Writes the examples of every range's training part under {@code dir}; returns the files. */
    static List<Written> write(JavaSparkContext sc, CorpusScan scan, List<CorpusRange> ranges, long trainLength,
                               int length, int examplesPerFile, String dir, Broadcast<SerializableHadoopConfig> hadoop) {
        List<Placed> placed = ranges.stream().map(range -> new Placed(range, scan.offset(range.index()), scan.length(range.index()))).toList();
        Broadcast<int[]> vocabulary = sc.broadcast(scan.vocabulary().codePoints().stream().mapToInt(i -> i).toArray());
        return sc.parallelize(placed, placed.size())
                .flatMap(range -> range.write(trainLength, length, examplesPerFile, vocabulary.value(), dir,
                        hadoop.value().getConfiguration()).iterator())
                .collect();
    }

    /** A range, where it starts in the corpus and how long it is, in characters. */
    private static final class Placed implements Serializable {
        private final CorpusRange range;
        private final long offset;
        private final long characters;

        Placed(CorpusRange range, long offset, long characters) {
            this.range = range;
            this.offset = offset;
            this.characters = characters;
        }

        List<Written> write(long trainLength, int length, int examplesPerFile, int[] vocabulary, String dir,
                            Configuration hadoop) throws IOException {
            long trainable = Math.min(Math.max(0, Math.min(characters, trainLength - offset)), Integer.MAX_VALUE);
            int examples = trainable < length + 1 ? 0 : (int) ((trainable - 1) / length);
            if (examples == 0) {
                return List.of();
            }
            int[] symbols = encodeInPlace(range.codePoints(hadoop), vocabulary);
            int files = (examples + examplesPerFile - 1) / examplesPerFile;
            int width = vocabulary.length <= 256 ? 1 : vocabulary.length <= 65536 ? 2 : 4;
            FileSystem fs = new Path(dir).getFileSystem(hadoop);
            fs.mkdirs(new Path(dir));
            List<Written> written = new ArrayList<>(files);
            for (int file = 0; file < files; file++) {
                Path path = new Path(dir, String.format("part-%05d-%05d.bin", range.index(), file));
                int count = (examples - file + files - 1) / files;
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(create(fs, path), 1 << 16))) {
                    out.writeInt(MAGIC);
                    out.writeInt(length);
                    out.writeInt(count);
                    out.writeByte(width);
                    for (int example = file; example < examples; example += files) {
                        for (int t = example * length; t <= example * length + length; t++) {
                            writeSymbol(out, symbols[t], width);
                        }
                    }
                }
                written.add(new Written(path.toString(), count));
            }
            return written;
        }
    }

    /**
     * Hadoop's local file system runs {@code chmod} in a new process for every file it creates when
     * its native library is absent (2.5 ms a file here), and writes a .crc beside it: a local path
     * (a shared mount) is written directly.
     */
    private static OutputStream create(FileSystem fs, Path path) throws IOException {
        if (fs instanceof LocalFileSystem local) {
            return new FileOutputStream(local.pathToFile(path));
        }
        return fs.create(path, true);
    }

    /** Code points to vocabulary indices through a dense table (O(1) per character), reusing the array. */
    private static int[] encodeInPlace(int[] codePoints, int[] vocabulary) {
        int[] index = new int[vocabulary[vocabulary.length - 1] + 1];
        for (int i = 0; i < vocabulary.length; i++) {
            index[vocabulary[i]] = i;
        }
        for (int i = 0; i < codePoints.length; i++) {
            codePoints[i] = index[codePoints[i]];
        }
        return codePoints;
    }

    private static void writeSymbol(DataOutputStream out, int symbol, int width) throws IOException {
        switch (width) {
            case 1 -> out.writeByte(symbol);
            case 2 -> out.writeShort(symbol);
            default -> out.writeInt(symbol);
        }
    }

    /** Loads a window file as a one-hot minibatch, [examples, vocabulary, length], on the worker. */
    record Loader(int vocabularySize) implements DataSetLoader {
        @Override
        public DataSet load(Source source) throws IOException {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(source.getInputStream(), 1 << 16))) {
                if (in.readInt() != MAGIC) {
                    throw new IOException(source.getPath() + " is not a char-rnn window file");
                }
                int length = in.readInt();
                int count = in.readInt();
                int width = in.readByte();
                int[] symbols = new int[count * (length + 1)];
                int[] starts = new int[count];
                for (int example = 0; example < count; example++) {
                    starts[example] = example * (length + 1);
                }
                for (int i = 0; i < symbols.length; i++) {
                    symbols[i] = switch (width) {
                        case 1 -> in.readUnsignedByte();
                        case 2 -> in.readUnsignedShort();
                        default -> in.readInt();
                    };
                }
                int[] labelStarts = Arrays.stream(starts).map(start -> start + 1).toArray();
                return new DataSet(OneHot.windows(symbols, starts, length, vocabularySize),
                        OneHot.windows(symbols, labelStarts, length, vocabularySize));
            }
        }
    }
}
