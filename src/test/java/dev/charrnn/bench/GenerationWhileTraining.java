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
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import dev.charrnn.CharRnnApplication;
import dev.charrnn.model.ModelMetadata;
import dev.charrnn.model.ModelStore;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingSchedule;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Generation latency while a training job runs (issue: interactive requests should win). The
 * benchmark's phase D load (clients x requests generate calls of request-len characters, back to
 * back, over HTTP) in three service instances one after another, {@code --rounds} times: no
 * training; a training job with {@code charrnn.jobs.yield-to-generation=true}; the same job with it
 * false. Prints one JSON line per run: p50/p99 and the job's training iterations per wall second
 * during the load, so the trade is visible.
 *
 * <pre>./mvnw -B -q -pl service test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.charrnn.bench.GenerationWhileTraining -Dexec.args="--rounds 2"</pre>
 * (the JVM needs --add-modules jdk.incubator.vector for the service's generation kernel: MAVEN_OPTS).
 */
public final class GenerationWhileTraining {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "2"));
        int clients = Integer.parseInt(a.getOrDefault("clients", "8"));
        int requests = Integer.parseInt(a.getOrDefault("requests", "40"));
        int length = Integer.parseInt(a.getOrDefault("request-len", "200"));
        Path corpus = Path.of(a.getOrDefault("corpus", "../../shared/corpora/tinyshakespeare.txt"));
        String text = Files.readString(corpus).substring(0, 200_000);
        Nd4jRuntime.configure(new CharRnnProperties.Compute(1, 1, 0, LayerPath.AUTO));
        EncodedText data = EncodedText.of(text, 0.1);
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 2, 128, 0.0, 64, 32, 0.002, 42L);
        Trainer.Result model = Trainer.train(data, spec, TrainingSchedule.iterations(30, 0.1, 30), m -> { });
        for (int round = 0; round < rounds; round++) {
            for (String mode : new String[] {"none", "yield", "no-yield"}) {
                run(mode, model, spec, data, text, clients, requests, length);
            }
        }
    }

    private static void run(String mode, Trainer.Result trained, ModelSpec spec, EncodedText data, String text,
                            int clients, int requests, int length) throws Exception {
        Path root = Files.createTempDirectory("charrnn-bench");
        try (ConfigurableApplicationContext app = new SpringApplication(CharRnnApplication.class).run(
                "--server.port=0", "--charrnn.storage.models-dir=" + root.resolve("models"),
                "--charrnn.storage.corpora-dir=" + root.resolve("corpora"), "--logging.level.root=WARN",
                "--charrnn.jobs.yield-to-generation=" + !mode.equals("no-yield"))) {
            app.getBean(ModelStore.class).save(new ModelMetadata("bench", spec, data.vocabulary().codePoints(),
                    Arrays.stream(data.trainCounts()).boxed().toList(), "benchmark", trained.network().numParams(),
                    trained.metrics(), trained.history(), "CPU", Instant.now()), trained.network());
            String base = "http://localhost:" + app.getEnvironment().getProperty("local.server.port");
            HttpClient http = HttpClient.newHttpClient();
            String job = mode.equals("none") ? null : startJob(http, base, text);
            URI generate = URI.create(base + "/api/models/bench/generate");
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            ConcurrentRequests.load(pool, http, generate, clients, 3, length, Collections.synchronizedList(new ArrayList<>()));
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            long iterationsBefore = job == null ? 0 : iteration(http, base, job);
            long start = System.nanoTime();
            ConcurrentRequests.load(pool, http, generate, clients, requests, length, latencies);
            double seconds = (System.nanoTime() - start) / 1e9;
            long iterationsAfter = job == null ? 0 : iteration(http, base, job);
            pool.shutdown();
            double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "{\"bench\": \"generation_while_training\", \"training\": \"%s\", "
                            + "\"clients\": %d, \"requests\": %d, \"request_len\": %d, \"p50_ms\": %.1f, \"p99_ms\": %.1f, "
                            + "\"training_iters_per_s\": %.2f, \"seconds\": %.1f}%n", mode, clients, sorted.length, length,
                    ConcurrentRequests.percentile(sorted, 0.5), ConcurrentRequests.percentile(sorted, 0.99),
                    (iterationsAfter - iterationsBefore) / seconds, seconds);
        }
    }

    /** LSTM 2x128, batch 32, 64 steps: the job the issue measured; returns once it is training. */
    private static String startJob(HttpClient http, String base, String text) throws Exception {
        HttpResponse<String> corpus = http.send(HttpRequest.newBuilder(URI.create(base + "/api/corpora"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(text)).build(),
                HttpResponse.BodyHandlers.ofString());
        String body = "{\"corpusId\":\"" + JSON.readTree(corpus.body()).get("id").asString() + "\",\"modelName\":\"bg\","
                + "\"spec\":{\"cell\":\"LSTM\",\"layers\":2,\"hiddenSize\":128,\"seqLength\":64,\"batchSize\":32},"
                + "\"schedule\":{\"maxIterations\":1000000,\"evalEvery\":100000,\"checkpointEvery\":100000}}";
        JsonNode job = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/training-jobs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String id = job.get("id").asString();
        while (iteration(http, base, id) < 10) {
            Thread.sleep(100);
        }
        return id;
    }

    private static long iteration(HttpClient http, String base, String job) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/training-jobs/" + job)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("iteration").asLong();
    }
}
