package dev.charrnn.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;

/**
 * How the job's corpus passes scale: generates a corpus of {@code --mb} megabytes (words with a
 * few multi-byte characters), then times the counting pass, the held-out tail and the window
 * files on {@code local[N]}, and prints the peak heap. Run it with a heap smaller than the corpus
 * as int indices would need (4 bytes per character) to see the corpus is never held whole:
 *
 * <pre>java -Xmx1g [spark.jvm.flags] -cp target/test-classes:target/classes:$(deps) \
 *   dev.charrnn.spark.CorpusPassesBenchmark --mb 1024 --split-mb 32 --dir /tmp/corpus-bench</pre>
 */
public final class CorpusPassesBenchmark {

    private CorpusPassesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = intFlag(args, "--mb", 256);
        int splitMegabytes = intFlag(args, "--split-mb", 32);
        int threads = intFlag(args, "--threads", 2);
        Path dir = Path.of(flag(args, "--dir", "/tmp/corpus-bench"));
        Path corpus = generate(dir.resolve("corpus-" + megabytes + "mb.txt"), megabytes);
        try (JavaSparkContext sc = new JavaSparkContext(CharRnnSparkJob.sparkConf(new SparkConf())
                .setMaster("local[" + threads + "]").setAppName("corpus-passes").set("spark.ui.enabled", "false"))) {
            Broadcast<SerializableHadoopConfig> hadoop = sc.broadcast(new SerializableHadoopConfig(sc.hadoopConfiguration()));
            long start = System.nanoTime();
            List<CorpusRange> ranges = CorpusRange.plan(corpus.toString(), sc.hadoopConfiguration(),
                    (long) splitMegabytes << 20);
            CorpusScan scan = CorpusScan.run(sc, ranges, hadoop);
            double scanSeconds = seconds(start);
            start = System.nanoTime();
            long tailLength = scan.validationLength(0.1, 1_000_000);
            scan.validationTail(tailLength, sc.hadoopConfiguration());
            double tailSeconds = seconds(start);
            start = System.nanoTime();
            String windows = dir.resolve("windows").toUri().toString();
            List<WindowFiles.Written> written = WindowFiles.write(sc, scan, ranges, scan.length() - tailLength, 400, 32 * 5,
                    windows, hadoop);
            double writeSeconds = seconds(start);
            long examples = written.stream().mapToLong(WindowFiles.Written::examples).sum();
            long windowBytes;
            try (var files = Files.list(dir.resolve("windows"))) {
                windowBytes = files.mapToLong(f -> f.toFile().length()).sum();
            }
            RunFolder.deleteQuietly(windows, sc.hadoopConfiguration());
            long bytes = Files.size(corpus);
            System.out.printf("{\"corpus_mb\": %d, \"chars\": %d, \"ranges\": %d, \"vocabulary\": %d, "
                            + "\"scan_s\": %.1f, \"scan_mb_per_s\": %.0f, \"tail_s\": %.2f, \"write_s\": %.1f, "
                            + "\"write_mb_per_s\": %.0f, \"examples\": %d, \"window_files\": %d, \"window_mb\": %.0f, "
                            + "\"max_heap_mb\": %d, \"peak_heap_mb\": %d}%n",
                    bytes >> 20, scan.length(), ranges.size(), scan.vocabulary().size(), scanSeconds,
                    bytes / 1e6 / scanSeconds, tailSeconds, writeSeconds, bytes / 1e6 / writeSeconds, examples,
                    written.size(), windowBytes / 1e6, Runtime.getRuntime().maxMemory() >> 20, peakHeapMegabytes());
        }
    }

    private static Path generate(Path file, int megabytes) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) >= (long) megabytes << 20) {
            return file;
        }
        Files.createDirectories(file.getParent());
        String block = SparkJobFixtures.corpus(1 << 20, 1).replace("birds", "oiseaux ✈").replace("cat", "chat é");
        long target = (long) megabytes << 20;
        int blockBytes = block.getBytes(StandardCharsets.UTF_8).length;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (long written = 0; written < target; written += blockBytes) {
                out.write(block);
            }
        }
        return file;
    }

    private static long peakHeapMegabytes() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() >> 20;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String flag(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static int intFlag(String[] args, String name, int fallback) {
        return Integer.parseInt(flag(args, name, String.valueOf(fallback)));
    }
}
