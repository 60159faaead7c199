package dev.charrnn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import dev.charrnn.Fixtures;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.Compute;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.cpu.Nd4jBackend;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.GateSaturation;
import dev.charrnn.train.GradientFlowProbe;
import dev.charrnn.train.RecurrentSpectrum;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.TrainingSchedule;

/**
 * What the training statistics cost: the same run (same spec, seed and data) without them, with
 * them every {@code statsEvery} iterations (gradient statistics, lambda1 of every RW block, gate
 * saturation on validation windows), and with the gradient-flow probe too, interleaved round by
 * round so that drift on a shared machine hits all three alike. Within each run it also splits the
 * iterations that record from those that do not: the extra milliseconds of a recording iteration
 * over the median plain one, spread over statsEvery iterations, is the overhead, a figure that
 * drift between runs does not blur. Not a test; prints one JSON line per run and round, then one
 * with the statistics' parts timed alone on the trained network.
 *
 * <pre>
 * ./mvnw -q -pl core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.charrnn.bench.StatisticsCostBenchmark -Dexec.args="--cell lstm --rounds 3"
 * </pre>
 * Defaults: LSTM 2 x 128 (the spec's defaults), batch 32, seq 100, 120 iterations timed from the
 * 20th, statsEvery 10, flowEvery 100, 2 step threads and ND4J's ops and OpenBLAS on one thread each,
 * as the service runs them; {@code --corpus} a text file (default:
 * ../shared/corpora/tinyshakespeare.txt when present, else a generated text).
 */
public final class StatisticsCostBenchmark {

    private static final int WARM_UP = 20;

    private StatisticsCostBenchmark() {
    }

    private record Variant(String name, int statsEvery, int flowEvery) {
    }

    public static void main(String[] args) throws IOException {
        CellType cell = CellType.valueOf(arg(args, "--cell", "lstm").toUpperCase(Locale.ROOT));
        int hidden = Integer.parseInt(arg(args, "--hidden", "128"));
        int layers = Integer.parseInt(arg(args, "--layers", "2"));
        int iterations = Integer.parseInt(arg(args, "--iters", "120"));
        int rounds = Integer.parseInt(arg(args, "--rounds", "3"));
        int statsEvery = Integer.parseInt(arg(args, "--stats-every", "10"));
        int flowEvery = Integer.parseInt(arg(args, "--flow-every", "100"));
        int threads = Integer.parseInt(arg(args, "--threads", "2"));
        EncodedText text = EncodedText.of(corpus(arg(args, "--corpus", "../shared/corpora/tinyshakespeare.txt")), 0.1);
        Nd4jBackend.threads(1, 1); // as the service runs them (charrnn.compute.omp-threads, blas-threads)
        Compute compute = Compute.of(LayerPath.AUTO, threads);
        List<Variant> variants = List.of(new Variant("none", Integer.MAX_VALUE, 0),
                new Variant("stats", statsEvery, 0), new Variant("stats+flow", statsEvery, flowEvery));
        MultiLayerNetwork trained = null;
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < variants.size(); k++) {
                Variant v = variants.get((k + round) % variants.size()); // who goes first rotates
                ModelSpec base = ModelSpec.of(cell, layers, hidden, 0.0, 100, 32, 0.002, 42L);
                ModelSpec spec = new ModelSpec(base.cell(), base.layers(), base.hiddenSize(), base.dropout(),
                        base.seqLength(), base.batchSize(), base.learningRate(), null, null, null, null, base.seed(),
                        v.statsEvery(), v.flowEvery());
                long[] from = new long[1];
                long[] to = new long[1];
                long[] last = new long[1];
                double[] durations = new double[iterations + 1]; // ms of each iteration, onIteration to onIteration
                int[] recordings = new int[1];
                CpuWindow[] cpu = new CpuWindow[1];
                CpuWindow.Contention[] contention = new CpuWindow.Contention[1];
                Trainer.Result result = Trainer.train(text, spec, TrainingSchedule.iterations(iterations, 0.1,
                        1_000_000), compute, new Trainer.Monitor() {
                            @Override
                            public void onIteration(TrainingMetrics metrics) {
                                long now = System.nanoTime();
                                durations[(int) metrics.iteration()] = (now - last[0]) / 1e6;
                                last[0] = now;
                                if (metrics.iteration() == WARM_UP) {
                                    from[0] = System.nanoTime();
                                    cpu[0] = new CpuWindow();
                                } else if (metrics.iteration() == iterations - 1) { // before the final evaluation
                                    to[0] = System.nanoTime();
                                    contention[0] = cpu[0].close();
                                }
                            }

                            @Override
                            public void onGradients(dev.charrnn.train.GradientStats stats) {
                                if (stats.iteration() > WARM_UP && stats.iteration() < iterations) {
                                    recordings[0]++;
                                }
                            }
                        });
                trained = result.network();
                double msPerIteration = (to[0] - from[0]) / 1e6 / (iterations - 1 - WARM_UP);
                double plain = median(durations, WARM_UP + 1, iterations - 1, i -> i % statsEvery != 0
                        && (flowEvery == 0 || (i - 1) % flowEvery != 0));
                double recording = median(durations, WARM_UP + 1, iterations - 1, i -> i % statsEvery == 0);
                boolean records = v.statsEvery() != Integer.MAX_VALUE;
                System.out.printf(Locale.ROOT, "{\"round\": %d, \"run\": \"%s\", \"cell\": \"%s\", \"layers\": %d, "
                        + "\"hidden\": %d, \"statsEvery\": %s, \"flowEvery\": %d, \"recordings\": %d, "
                        + "\"ms_per_iteration\": %.2f, \"median_plain_ms\": %.2f, \"median_recording_ms\": %s, "
                        + "\"stats_overhead_percent\": %s, \"cpu_other_cores\": %s, \"cpu_steal_cores\": %s}%n", round,
                        v.name(), cell.name().toLowerCase(Locale.ROOT), layers, hidden,
                        records ? Integer.toString(v.statsEvery()) : "null", v.flowEvery(), recordings[0], msPerIteration,
                        plain, records ? String.format(Locale.ROOT, "%.2f", recording) : "null",
                        records ? String.format(Locale.ROOT, "%.2f", 100 * (recording - plain) / v.statsEvery() / plain)
                                : "null", contention[0] == null ? "null" : contention[0].other(),
                        contention[0] == null ? "null" : contention[0].steal());
            }
        }
        parts(trained, text, compute, cell, layers, hidden);
    }

    /** Each added part alone, on the trained network: mean milliseconds per call. */
    private static void parts(MultiLayerNetwork network, EncodedText text, Compute compute, CellType cell, int layers,
                              int hidden) {
        MultiLayerNetwork session = new MultiLayerNetwork(network.getLayerWiseConfigurations().clone());
        session.init(network.params(), false);
        compute.applyTo(session);
        RecurrentSpectrum cold = new RecurrentSpectrum();
        long start = System.nanoTime();
        cold.measure(session);
        double coldSpectrum = (System.nanoTime() - start) / 1e6;
        int calls = 10;
        double warmSpectrum = mean(calls, () -> cold.measure(session));
        int[] starts = new int[4];
        for (int r = 0; r < 4; r++) {
            starts[r] = text.validationStart() + r * (text.validationLength() - 101) / 4;
        }
        double saturation = mean(calls, () -> GateSaturation.measure(session, text.symbols(), starts, 100,
                text.vocabulary().size()));
        int[] window = Arrays.copyOfRange(text.symbols(), text.validationStart(), text.validationStart() + 101);
        double flow = mean(calls, () -> GradientFlowProbe.measure(session, window, text.vocabulary().size(), cold));
        System.out.printf(Locale.ROOT, "{\"parts\": true, \"cell\": \"%s\", \"layers\": %d, \"hidden\": %d, "
                + "\"spectrum_cold_ms\": %.2f, \"spectrum_warm_ms\": %.2f, \"saturation_ms\": %.2f, "
                + "\"flow_probe_ms\": %.2f}%n", cell.name().toLowerCase(Locale.ROOT), layers, hidden, coldSpectrum,
                warmSpectrum, saturation, flow);
    }

    /** The median of {@code values[from..to]} at the indices {@code which} accepts. */
    private static double median(double[] values, int from, int to, java.util.function.IntPredicate which) {
        double[] chosen = java.util.stream.IntStream.rangeClosed(from, to).filter(which).mapToDouble(i -> values[i])
                .sorted().toArray();
        return chosen.length == 0 ? Double.NaN : chosen[chosen.length / 2];
    }

    private static double mean(int calls, Runnable work) {
        work.run();
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            work.run();
        }
        return (System.nanoTime() - start) / 1e6 / calls;
    }

    private static String corpus(String path) throws IOException {
        Path file = Path.of(path);
        if (Files.isReadable(file)) {
            return Files.readString(file);
        }
        Random random = new Random(1);
        List<String> words = Fixtures.words(random, 2000);
        StringBuilder text = new StringBuilder();
        while (text.length() < 1_000_000) {
            text.append(words.get(random.nextInt(words.size()))).append(random.nextInt(12) == 0 ? ".\n" : " ");
        }
        return text.toString();
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
