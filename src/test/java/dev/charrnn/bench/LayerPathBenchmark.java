package dev.charrnn.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.nd4j.linalg.profiler.OpProfiler;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.Compute;
import dev.charrnn.nn.GradientClipping;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.Nd4jOpCount;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.TrainingSchedule;

/**
 * Training throughput of the host and the ops path in one JVM, and the ND4J operations an
 * iteration of each makes (what a GPU would launch). Rounds alternate host, ops, host, ops...,
 * each Phase A of {@link CharRnnBenchmark}: a fresh network, 5 warm-up and --iters timed
 * iterations; then --count-iters iterations of each path under ND4J's profiler.
 * <pre>
 * ./mvnw -q -pl service test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.charrnn.bench.LayerPathBenchmark -Dexec.args="--cell lstm --rounds 2"
 * </pre>
 * Prints one JSON line per round and one per path's op count.
 */
public final class LayerPathBenchmark {

    private static final int WARMUP_ITERS = 5;

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        Compute compute = Nd4jRuntime.configure(new CharRnnProperties.Compute(1, 1, threads, LayerPath.AUTO));
        EncodedText data = EncodedText.of(Files.readString(Path.of(a.getOrDefault("corpus",
                "../shared/corpora/tinyshakespeare.txt"))), 0.1);
        CellType cell = CellType.valueOf(a.getOrDefault("cell", "lstm").toUpperCase(Locale.ROOT));
        int batch = Integer.parseInt(a.getOrDefault("batch", "32"));
        int seq = Integer.parseInt(a.getOrDefault("seq", "100"));
        ModelSpec spec = ModelSpec.of(cell, Integer.parseInt(a.getOrDefault("layers", "2")),
                Integer.parseInt(a.getOrDefault("hidden", "256")), 0.0, seq, batch, 2e-3, 42L)
                .withClipping(new GradientClipping(GradientClipping.Mode.GLOBAL_L2, 5.0));
        int iters = Integer.parseInt(a.getOrDefault("iters", "10"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "2"));
        int countIters = Integer.parseInt(a.getOrDefault("count-iters", "2"));

        for (int round = 0; round < rounds; round++) {
            for (LayerPath path : new LayerPath[] {LayerPath.HOST, LayerPath.OPS}) {
                double[] result = timed(data, spec, compute.on(path), iters);
                System.out.printf(Locale.ROOT, "{\"round\": %d, \"layer_path\": \"%s\", \"cell\": \"%s\", \"layers\": %d, "
                                + "\"hidden\": %d, \"batch\": %d, \"seq\": %d, \"timed_iters\": %d, "
                                + "\"train_chars_per_s\": %.1f, \"cpu_other_cores\": %.2f, \"cpu_steal_cores\": %.2f}%n",
                        round, path.label(), cell.name().toLowerCase(Locale.ROOT), spec.layers(), spec.hiddenSize(), batch,
                        seq, iters, result[0], result[1], result[2]);
            }
        }
        for (LayerPath path : new LayerPath[] {LayerPath.HOST, LayerPath.OPS}) {
            countOps(data, spec, compute.on(path), countIters);
        }
        compute.stepThreads().close();
    }

    /** chars/s over the timed iterations, and the CPU others and the hypervisor took meanwhile. */
    private static double[] timed(EncodedText data, ModelSpec spec, Compute compute, int iters) {
        long[] window = new long[2];
        CpuWindow[] cpu = new CpuWindow[1];
        CpuWindow.Contention[] contention = new CpuWindow.Contention[1];
        // one iteration more: the run's last iteration validates before the monitor hears of it
        Trainer.train(data, spec, TrainingSchedule.iterations(WARMUP_ITERS + iters + 1, 0.1, Integer.MAX_VALUE), compute,
                (TrainingMetrics m) -> {
                    if (m.iteration() == WARMUP_ITERS) {
                        cpu[0] = new CpuWindow();
                        window[0] = System.nanoTime();
                    } else if (m.iteration() == WARMUP_ITERS + iters) {
                        window[1] = System.nanoTime();
                        contention[0] = cpu[0].close();
                    }
                });
        double charsPerSecond = (double) spec.batchSize() * spec.seqLength() * iters / ((window[1] - window[0]) / 1e9);
        return new double[] {charsPerSecond, contention[0] == null ? Double.NaN : contention[0].other(),
                contention[0] == null ? Double.NaN : contention[0].steal()};
    }

    /** ND4J ops per training iteration (after one warm-up iteration), in total and by op name. */
    private static void countOps(EncodedText data, ModelSpec spec, Compute compute, int iters) {
        LayerPath path = compute.resolvedPath();
        Nd4jOpCount[] count = new Nd4jOpCount[1];
        long[] ops = new long[1];
        Map<String, Long> byName = new TreeMap<>();
        Trainer.train(data, spec, TrainingSchedule.iterations(2 + iters, 0.1, Integer.MAX_VALUE), compute, (TrainingMetrics m) -> {
            if (m.iteration() == 1) {
                count[0] = new Nd4jOpCount();
            } else if (m.iteration() == 1 + iters) {
                ops[0] = count[0].total();
                for (String name : new String[] {"matmul", "multiply", "add", "subtract", "old_assign", "tanh", "sigmoid",
                        "softmax", "reduce_sum", "reduce_norm2"}) {
                    byName.put(name, count[0].of(name));
                }
                System.err.println(path.label() + " path, ops in " + iters + " iterations:\n"
                        + OpProfiler.getInstance().getOpCounter().asString());
                count[0].close();
            }
        });
        StringBuilder names = new StringBuilder();
        byName.forEach((name, n) -> names.append(names.length() > 0 ? ", " : "").append('"').append(name).append("\": ")
                .append(n / iters));
        System.out.printf(Locale.ROOT, "{\"layer_path\": \"%s\", \"nd4j_ops_per_iteration\": %d, \"by_name\": {%s}}%n",
                path.label(), ops[0] / iters, names);
    }
}
