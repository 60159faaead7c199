package dev.charrnn.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.Compute;
import dev.charrnn.nn.GradientClipping;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.sample.InferenceNetwork;
import dev.charrnn.sample.Sampler;
import dev.charrnn.sample.SamplingParams;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.text.CharVocabulary;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Evaluator;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.TrainingSchedule;

/**
 * The service's training and sampling code under the PyTorch peer's protocol
 * (../shared/bench/torch_charrnn.py): same flags, same phases, same JSON keys.
 * <pre>
 * ./mvnw -q -pl service test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.charrnn.bench.CharRnnBenchmark -Dexec.args="--cell lstm"
 * </pre>
 * {@code --layer-path host|ops|auto} picks the layers' path (charrnn.compute.layer-path).
 * Phase A: 5 warm-up + --iters timed iterations (train chars/s). Phase B: train to --budget-iters,
 * then validation bits/char over the last 10%. Phase C: sampling, 1 stream and 16 streams, through
 * the service's decoding loop, each after a warm-up of at least {@code --warmup-seconds} (default 2:
 * the JVM compiles the loop while it runs, and right after training its compile queue is long).
 * Phase D (ours only): the service itself over HTTP, {@code --clients} clients each sending
 * {@code --requests} generate requests of {@code --request-len} characters, after the same warm-up.
 */
public final class CharRnnBenchmark {

    private static final int WARMUP_ITERS = 5;

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = parse(argv);
        // --threads as the peer's: the cores to use (recurrent step threads); BLAS and ND4J's ops as the service runs them
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        LayerPath layerPath = LayerPath.valueOf(a.getOrDefault("layer-path", "auto").toUpperCase(Locale.ROOT));
        Compute compute = Nd4jRuntime.configure(new CharRnnProperties.Compute(Integer.parseInt(a.getOrDefault("omp-threads", "1")),
                Integer.parseInt(a.getOrDefault("blas-threads", "1")), threads, layerPath));

        String text = Files.readString(Path.of(a.getOrDefault("corpus", "../shared/corpora/tinyshakespeare.txt")));
        EncodedText data = EncodedText.of(text, 0.1);
        CellType cell = CellType.valueOf(a.getOrDefault("cell", "lstm").toUpperCase(Locale.ROOT));
        int batch = Integer.parseInt(a.getOrDefault("batch", "32"));
        int seq = Integer.parseInt(a.getOrDefault("seq", "100"));
        int iters = Integer.parseInt(a.getOrDefault("iters", "50"));
        int budget = Integer.parseInt(a.getOrDefault("budget-iters", "300"));
        ModelSpec spec = ModelSpec.of(cell, Integer.parseInt(a.getOrDefault("layers", "2")),
                Integer.parseInt(a.getOrDefault("hidden", "256")), 0.0, seq, batch,
                Double.parseDouble(a.getOrDefault("lr", "2e-3")), Long.parseLong(a.getOrDefault("seed", "42")))
                .withClipping(new GradientClipping(GradientClipping.Mode.GLOBAL_L2,
                        Double.parseDouble(a.getOrDefault("clip", "5.0"))))
                .withStatsEvery(Integer.parseInt(a.getOrDefault("stats-every", "10")));

        long[] timing = new long[2];
        Map<String, CpuWindow.Contention> contention = new LinkedHashMap<>();
        CpuWindow[] trainWindow = new CpuWindow[1];
        double[] lastLosses = new double[10];
        long start = System.nanoTime();
        Trainer.Result result = Trainer.train(data, spec, TrainingSchedule.iterations(budget, 0.1, Integer.MAX_VALUE),
                compute, new Trainer.Monitor() {
                    @Override
                    public void onIteration(TrainingMetrics m) {
                        if (m.iteration() == WARMUP_ITERS) {
                            trainWindow[0] = new CpuWindow();
                            timing[0] = System.nanoTime();
                        }
                        if (m.iteration() == WARMUP_ITERS + iters) {
                            timing[1] = System.nanoTime();
                            contention.put("train", trainWindow[0].close());
                            System.out.printf("Phase A: %d timed iters -> %.0f train chars/s, loss %.4f%n", iters,
                                    (double) batch * seq * iters / ((timing[1] - timing[0]) / 1e9), m.trainLoss());
                        }
                        lastLosses[(int) (m.iteration() % lastLosses.length)] = m.trainLoss();
                        if (m.iteration() % 50 == 0) {
                            System.out.printf("  iter %d loss %.4f (%.0fs)%n", m.iteration(), m.trainLoss(),
                                    (System.nanoTime() - start) / 1e9);
                        }
                    }
                });
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        MultiLayerNetwork net = result.network();
        double valBpc = Evaluator.bitsPerChar(session(net, compute), data, batch, seq);
        double trainCps = (double) batch * seq * iters / ((timing[1] - timing[0]) / 1e9);
        System.out.printf("Phase B: %d iters in %.1fs | val %.4f bpc%n", budget, trainSeconds, valBpc);

        int sampleLen = Integer.parseInt(a.getOrDefault("sample-len", "2000"));
        int streams = Integer.parseInt(a.getOrDefault("sample-streams", "16"));
        int warmup = Integer.parseInt(a.getOrDefault("sample-warmup", "200"));
        // the JIT compiles the decoding loop while it runs; right after training its queue is long
        double warmupSeconds = Double.parseDouble(a.getOrDefault("warmup-seconds", "2"));
        InferenceNetwork compiled = InferenceNetwork.of(net);
        int stepThreads = Integer.parseInt(a.getOrDefault("step-threads",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
        double cpsB1 = timedSample(compiled, data.vocabulary(), data.trainCounts(), sampleLen, 1, warmup, warmupSeconds,
                stepThreads, contention, "sample_b1");
        double cpsB16 = timedSample(compiled, data.vocabulary(), data.trainCounts(), sampleLen, streams, warmup,
                warmupSeconds, stepThreads, contention, "sample_b16");
        System.out.printf("Phase C: sampling b1 %.0f chars/s | b%d %.0f total chars/s%n", cpsB1, streams, cpsB16);

        int clients = Integer.parseInt(a.getOrDefault("clients", "8"));
        double[] latency = clients > 0
                ? ConcurrentRequests.run(result, spec, data, clients, Integer.parseInt(a.getOrDefault("requests", "25")),
                Integer.parseInt(a.getOrDefault("request-len", "200")), warmupSeconds)
                : new double[] {Double.NaN, Double.NaN};

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("peer", "char-rnn-service");
        json.put("backend", Nd4j.getBackend().getClass().getSimpleName());
        json.put("threads", threads);
        json.put("layer_path", compute.resolvedPath().label());
        json.put("cell", cell.name().toLowerCase(Locale.ROOT));
        json.put("layers", spec.layers());
        json.put("hidden", spec.hiddenSize());
        json.put("batch", batch);
        json.put("seq", seq);
        json.put("vocab", data.vocabulary().size());
        json.put("train_chars_per_s", round(trainCps, 1));
        json.put("val_bpc", round(valBpc, 4));
        json.put("train_nats", round(java.util.Arrays.stream(lastLosses).average().orElse(Double.NaN), 4));
        json.put("sample_chars_per_s_b1", round(cpsB1, 1));
        json.put("sample_chars_per_s_b16", round(cpsB16, 1));
        json.put("sample_streams", streams);
        json.put("p50_ms", round(latency[0], 1));
        json.put("p99_ms", round(latency[1], 1));
        json.put("clients", clients);
        json.put("params", net.numParams());
        json.put("iters", budget);
        json.put("timed_iters", iters);
        json.put("train_seconds_total", round(trainSeconds, 2));
        json.put("seed", spec.seed());
        // the peer's contention keys: CPU others and the hypervisor took during each timed window
        json.put("cpu_other_cores", windows(contention, CpuWindow.Contention::other));
        json.put("cpu_steal_cores", windows(contention, CpuWindow.Contention::steal));
        json.put("contended", contention.values().stream().anyMatch(c -> c != null && c.suspect()));
        System.out.println(toJson(json));
    }

    private static MultiLayerNetwork session(MultiLayerNetwork net, Compute compute) {
        MultiLayerNetwork session = new MultiLayerNetwork(net.getLayerWiseConfigurations().clone());
        session.init(net.params(), false);
        return compute.applyTo(session);
    }

    /**
     * Temperature-1 sampling of {@code streams} parallel sequences through the service's own
     * decoding loop (compiled network, draws, stream bookkeeping), after an untimed warm-up.
     */
    private static double timedSample(InferenceNetwork network, CharVocabulary vocabulary, long[] counts, int length,
                                      int streams, int warmup, double warmupSeconds, int stepThreads,
                                      Map<String, CpuWindow.Contention> contention, String window) {
        try (Gang gang = new Gang(stepThreads, "bench-step")) {
            long warmUntil = System.nanoTime() + (long) (warmupSeconds * 1e9);
            do {
                Sampler.sample(network, vocabulary, counts, params(warmup, streams, 2), (s, t) -> { }, gang);
            } while (System.nanoTime() < warmUntil);
            CpuWindow cpu = new CpuWindow();
            long t0 = System.nanoTime();
            Sampler.sample(network, vocabulary, counts, params(length, streams, 1), (s, t) -> { }, gang);
            double charsPerSecond = (double) length * streams / ((System.nanoTime() - t0) / 1e9);
            contention.put(window, cpu.close());
            return charsPerSecond;
        }
    }

    private static SamplingParams params(int length, int streams, long seed) {
        return new SamplingParams("\n", length, 1.0, null, null, seed, List.of(), streams, false);
    }

    /** One figure per timed window as a JSON object, null where it could not be measured. */
    private static RawJson windows(Map<String, CpuWindow.Contention> contention,
                                  java.util.function.ToDoubleFunction<CpuWindow.Contention> figure) {
        StringBuilder out = new StringBuilder("{");
        contention.forEach((window, c) -> out.append(out.length() > 1 ? ", " : "").append('"').append(window)
                .append("\": ").append(c == null ? "null" : String.valueOf(figure.applyAsDouble(c))));
        return new RawJson(out.append('}').toString());
    }

    /** A value written into the JSON line as it is (an object), not as a string. */
    private record RawJson(String json) {
        @Override
        public String toString() {
            return json;
        }
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        return args;
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static String toJson(Map<String, Object> values) {
        StringBuilder out = new StringBuilder("{");
        values.forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
                .append(v instanceof String ? "\"" + v + "\"" : v));
        return out.append('}').toString();
    }
}
