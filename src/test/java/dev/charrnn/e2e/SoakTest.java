package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import dev.charrnn.model.ModelStore;

/**
 * Bounded load on loopback: 8 clients generate 200 characters each, back to back, while a training
 * job runs. Memory is compared between a third of the run (warmed up) and its end: the live heap
 * after a collection, and resident memory outside the heap. Every {@code soak.sample-seconds} the
 * test records heap-after-GC, RSS and JavaCPP's off-heap counters to
 * {@code target/soak/soak-<seconds>s.csv}, and prints the RSS slope per minute over each third.
 * Short in {@code verify} (10 s); the plateau check (RSS growing under 1 MB per minute over the
 * last third) applies to runs of 10 minutes or more:
 * {@code ./mvnw -B -pl service test -Dtest=SoakTest -Dsoak.seconds=1800}. Prints one JSON line.
 */
@Tag("soak")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SoakTest {

    private static final int CLIENTS = 8;

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
    }

    @Autowired
    ModelStore models;

    private final ServiceHttp http;

    SoakTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @Test
    void eightClientsGenerateWhileAJobTrainsWithoutErrorsOrGrowingMemory() throws Exception {
        long seconds = Long.getLong("soak.seconds", 10);
        TestSupport.savePatternModel(models, "pattern");
        String corpus = TestSupport.json().readTree(http.exchange(http.post("/api/corpora", "text/plain",
                Fixtures.repeatedSentence(400))).body()).get("id").asString();
        String job = TestSupport.json().readTree(http.exchange(http.postJson("/api/training-jobs", "{\"corpusId\":\""
                + corpus + "\",\"modelName\":\"background\",\"spec\":{\"layers\":1,\"hiddenSize\":64,\"seqLength\":32,"
                + "\"batchSize\":8},\"schedule\":{\"maxIterations\":1000000,\"evalEvery\":200}}")).body())
                .get("id").asString();

        LatencyHistogram latencies = new LatencyHistogram();
        AtomicInteger errors = new AtomicInteger();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds / 3);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[] memoryAtStart = new long[2];
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.execute(() -> {
                int i = 0;
                boolean measured = false;
                // at least one measured request per client: on a loaded machine one request can span the warm-up
                while (System.nanoTime() < end || !measured) {
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.exchange(http.postJson("/api/models/pattern/generate",
                                "{\"prime\":\"the \",\"length\":200,\"seed\":" + (client * 100_000 + i++) + "}"));
                        if (response.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    if (start > warmupEnd) {
                        latencies.add((System.nanoTime() - start) / 1000);
                        measured = true;
                    }
                }
            });
        }
        MemorySamples samples = new MemorySamples(System.nanoTime());
        long sampleEvery = TimeUnit.SECONDS.toNanos(Long.getLong("soak.sample-seconds", seconds >= 600 ? 10 : 1));
        boolean atThird = false;
        for (long next = System.nanoTime(); next < end; next += sampleEvery) {
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            if (!atThird && System.nanoTime() >= warmupEnd) {
                memoryAtStart[0] = nativeBytes();
                memoryAtStart[1] = liveHeapBytes();
                atThird = true;
            }
            samples.take();
        }
        clients.shutdown();
        assertThat(clients.awaitTermination(seconds + 60, TimeUnit.SECONDS)).isTrue();
        Path csv = samples.write(Path.of("target", "soak", "soak-" + seconds + "s.csv"));
        double[] rssSlopes = samples.slopesPerThird(MemorySamples.RSS);
        double[] outsideHeapSlopes = samples.slopesPerThird(MemorySamples.RSS_OUTSIDE_HEAP);
        double[] heapSlopes = samples.slopesPerThird(MemorySamples.HEAP_AFTER_GC);
        long nativeEnd = nativeBytes();
        long liveHeapEnd = liveHeapBytes();
        http.exchange(http.postJson("/api/training-jobs/" + job + "/cancel", ""));
        awaitStopped(job); // the worker writes the job's last record on its way out: not into a deleted directory

        System.out.printf("{\"soak_seconds\": %d, \"clients\": %d, \"requests\": %d, \"errors\": %d, \"p50_ms\": %.1f, "
                        + "\"p99_ms\": %.1f, \"native_mb_at_third\": %d, \"native_mb_end\": %d, \"live_heap_mb_at_third\": %d, "
                        + "\"live_heap_mb_end\": %d, \"rss_mb_end\": %d, \"rss_mb_per_min_by_third\": [%.2f, %.2f, %.2f], "
                        + "\"rss_outside_heap_mb_per_min_by_third\": [%.2f, %.2f, %.2f], "
                        + "\"heap_after_gc_mb_per_min_by_third\": [%.2f, %.2f, %.2f], \"samples_csv\": \"%s\"}%n", seconds, CLIENTS, latencies.count(), errors.get(),
                latencies.percentileMicros(0.50) / 1000.0, latencies.percentileMicros(0.99) / 1000.0, memoryAtStart[0] >> 20,
                nativeEnd >> 20, memoryAtStart[1] >> 20, liveHeapEnd >> 20, rssBytes() >> 20, rssSlopes[0], rssSlopes[1],
                rssSlopes[2], outsideHeapSlopes[0], outsideHeapSlopes[1], outsideHeapSlopes[2], heapSlopes[0],
                heapSlopes[1], heapSlopes[2], csv.toAbsolutePath());

        assertThat(errors.get()).isZero();
        assertThat(latencies.count()).isPositive();
        assertThat(nativeEnd).as("memory outside the Java heap").isLessThan((long) (memoryAtStart[0] * 1.25) + (64L << 20));
        assertThat(liveHeapEnd).as("live Java heap").isLessThan((long) (memoryAtStart[1] * 1.25) + (64L << 20));
        if (seconds >= 600) { // G1 resizes the committed heap, so RSS itself swings by a hundred MB
            assertThat(outsideHeapSlopes[2]).as("growth of RSS outside the heap over the last third, MB/min")
                    .isLessThan(1.0);
            assertThat(heapSlopes[2]).as("growth of the heap after GC over the last third, MB/min").isLessThan(1.0);
        }
    }

    /** Memory over time: heap after a collection, resident memory, and what JavaCPP holds off-heap. */
    private static final class MemorySamples {
        private final long startNanos;
        private final List<double[]> rows = new ArrayList<>();

        MemorySamples(long startNanos) {
            this.startNanos = startNanos;
        }

        void take() throws Exception {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double heapAfterGc = liveHeapBytes() / 1048576.0;
            double rss = rssBytes() / 1048576.0;
            rows.add(new double[] {seconds, heapAfterGc, rss, rss - Runtime.getRuntime().totalMemory() / 1048576.0,
                    Pointer.totalBytes() / 1048576.0, Pointer.physicalBytes() / 1048576.0, Pointer.totalCount()});
        }

        Path write(Path file) throws Exception {
            Files.createDirectories(file.getParent());
            List<String> lines = new ArrayList<>(List.of("seconds,heap_after_gc_mb,rss_mb,rss_outside_heap_mb,"
                    + "javacpp_bytes_mb,javacpp_physical_mb,javacpp_pointers"));
            rows.forEach(r -> lines.add(String.format(java.util.Locale.ROOT, "%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.0f",
                    r[0], r[1], r[2], r[3], r[4], r[5], r[6])));
            Files.write(file, lines);
            return file;
        }

        static final int HEAP_AFTER_GC = 1;
        static final int RSS = 2;
        static final int RSS_OUTSIDE_HEAP = 3;

        /** Least-squares slope of a column against time, in MB per minute, for each third of the samples. */
        double[] slopesPerThird(int column) {
            double[] slopes = new double[3];
            int third = rows.size() / 3;
            for (int part = 0; part < 3; part++) {
                List<double[]> span = rows.subList(part * third, part == 2 ? rows.size() : (part + 1) * third);
                slopes[part] = span.size() < 2 ? Double.NaN : 60 * slope(span, column);
            }
            return slopes;
        }

        private static double slope(List<double[]> span, int column) {
            double meanT = span.stream().mapToDouble(r -> r[0]).average().orElse(0);
            double meanY = span.stream().mapToDouble(r -> r[column]).average().orElse(0);
            double covariance = span.stream().mapToDouble(r -> (r[0] - meanT) * (r[column] - meanY)).sum();
            double variance = span.stream().mapToDouble(r -> (r[0] - meanT) * (r[0] - meanT)).sum();
            return covariance / variance;
        }
    }

    private void awaitStopped(String job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String state;
        do {
            Thread.sleep(50);
            HttpResponse<String> response = http.exchange(http.get("/api/training-jobs/" + job));
            state = TestSupport.json().readTree(response.body()).get("state").asString();
        } while (("QUEUED".equals(state) || "RUNNING".equals(state)) && System.nanoTime() < deadline);
        assertThat(state).as("job state after cancel").isEqualTo("CANCELLED");
    }

    /**
     * Latencies in fixed memory (0.1 ms buckets up to 10 s, then one overflow bucket): a list of
     * every request would itself grow the heap this test watches by a few MB a minute.
     */
    private static final class LatencyHistogram {
        private static final int BUCKET_MICROS = 100;
        private final AtomicLongArray buckets = new AtomicLongArray(100_001);

        void add(long micros) {
            buckets.incrementAndGet((int) Math.min(buckets.length() - 1, micros / BUCKET_MICROS));
        }

        long count() {
            long total = 0;
            for (int i = 0; i < buckets.length(); i++) {
                total += buckets.get(i);
            }
            return total;
        }

        /** The upper edge of the bucket holding the p-th latency. */
        long percentileMicros(double p) {
            long rank = (long) Math.ceil(p * count());
            long seen = 0;
            for (int i = 0; i < buckets.length(); i++) {
                seen += buckets.get(i);
                if (seen >= rank && seen > 0) {
                    return (i + 1L) * BUCKET_MICROS;
                }
            }
            return 0;
        }
    }

    private static long rssBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        return 0;
    }

    /** Resident memory outside the Java heap: natives, ND4J buffers, thread stacks, code. */
    private static long nativeBytes() throws Exception {
        return rssBytes() - Runtime.getRuntime().totalMemory();
    }

    /** Java heap still in use after a collection. */
    private static long liveHeapBytes() {
        System.gc();
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }
}
