package dev.charrnn.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import dev.charrnn.CharRnnApplication;
import dev.charrnn.model.ModelMetadata;
import dev.charrnn.model.ModelStore;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Trainer;

/**
 * Phase D of the benchmark: the service as users meet it. Starts the application on a free
 * port with the benchmark's model, then {@code clients} threads each send {@code requests}
 * generate requests back to back; returns the latency median and 99th percentile in ms. Before
 * that the same load runs unmeasured for {@code warmupSeconds}.
 */
final class ConcurrentRequests {

    private ConcurrentRequests() {
    }

    static double[] run(Trainer.Result trained, ModelSpec spec, EncodedText data, int clients, int requests,
                        int length, double warmupSeconds) throws Exception {
        Path root = Files.createTempDirectory("charrnn-bench");
        try (ConfigurableApplicationContext app = new SpringApplication(CharRnnApplication.class).run(
                "--server.port=0", "--charrnn.storage.models-dir=" + root.resolve("models"),
                "--charrnn.storage.corpora-dir=" + root.resolve("corpora"), "--logging.level.root=WARN")) {
            app.getBean(ModelStore.class).save(new ModelMetadata("bench", spec, data.vocabulary().codePoints(),
                    Arrays.stream(data.trainCounts()).boxed().toList(), "benchmark", trained.network().numParams(),
                    trained.metrics(), trained.history(), "CPU", Instant.now()), trained.network());
            URI uri = URI.create("http://localhost:" + app.getEnvironment().getProperty("local.server.port")
                    + "/api/models/bench/generate");
            HttpClient http = HttpClient.newHttpClient();
            send(http, uri, length, 0); // loads the model
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            // the same load, unmeasured, until the JIT has compiled the serving paths (a service's steady state)
            long warmUntil = System.nanoTime() + (long) (warmupSeconds * 1e9);
            do {
                load(pool, http, uri, clients, 2, length, Collections.synchronizedList(new ArrayList<>()));
            } while (System.nanoTime() < warmUntil);
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            load(pool, http, uri, clients, requests, length, latencies);
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double p50 = percentile(sorted, 0.50);
            double p99 = percentile(sorted, 0.99);
            System.out.printf("Phase D: %d clients x %d requests of %d chars over HTTP in %.1fs | p50 %.0f ms, p99 %.0f ms,"
                    + " %.0f chars/s served%n", clients, requests, length, seconds, p50, p99,
                    sorted.length * (double) length / seconds);
            return new double[] {p50, p99};
        }
    }

    /** {@code clients} clients, each sending {@code requests} requests back to back; latencies into {@code into}. */
    static void load(ExecutorService pool, HttpClient http, URI uri, int clients, int requests, int length,
                             List<Double> into) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                for (int r = 0; r < requests; r++) {
                    into.add(send(http, uri, length, 1000L * client + r));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    private static double send(HttpClient http, URI uri, int length, long seed) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"prime\": \"\", \"length\": " + length + ", \"temperature\": 1.0, \"seed\": " + seed + "}"))
                .build();
        long t0 = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - t0) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("generate returned " + response.statusCode() + ": " + response.body());
        }
        return ms;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
