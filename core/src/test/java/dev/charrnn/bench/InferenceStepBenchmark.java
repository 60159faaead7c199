package dev.charrnn.bench;

import java.util.Arrays;
import java.util.Locale;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import dev.charrnn.nn.CellType;
import dev.charrnn.nn.Compute;
import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.sample.InferenceNetwork;
import dev.charrnn.sample.Sampler;
import dev.charrnn.sample.SamplingParams;
import dev.charrnn.text.CharVocabulary;

/**
 * Whether generation's own step ({@link InferenceNetwork}) is worth keeping beside the training
 * layers: one stream, one character per step, through each. Not a test; prints one JSON line per
 * cell and round. The training layers' step is DL4J's {@code rnnTimeStep} on the host path.
 *
 * <pre>
 * ./mvnw -q -pl core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.charrnn.bench.InferenceStepBenchmark -Dexec.args="--hidden 256 --chars 2000"
 * </pre>
 */
public final class InferenceStepBenchmark {

    private InferenceStepBenchmark() {
    }

    public static void main(String[] args) {
        int hidden = intArg(args, "--hidden", 256);
        int chars = intArg(args, "--chars", 2000);
        CharVocabulary vocabulary = CharVocabulary.of("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,;:!?'\n-");
        long[] counts = new long[vocabulary.size()];
        Arrays.fill(counts, 1);
        for (int round = 0; round < 3; round++) {
            for (CellType cell : CellType.values()) {
                MultiLayerNetwork network = NetworkFactory.create(ModelSpec.of(cell, 2, hidden, 0.0, 64, 1, 2e-3, 42L),
                        vocabulary.size());
                Compute.DEFAULT.applyTo(network);
                double compiled = charsPerSecond(() -> Sampler.sample(InferenceNetwork.of(network), vocabulary, counts,
                        SamplingParams.simple("the ", chars, 1.0, 7)), chars);
                double layers = charsPerSecond(() -> stepThroughLayers(network, vocabulary.size(), chars), chars);
                System.out.printf(Locale.ROOT, "{\"round\": %d, \"cell\": \"%s\", \"hidden\": %d, \"layers\": 2, "
                        + "\"inference_chars_per_s\": %.0f, \"training_layers_chars_per_s\": %.0f, \"ratio\": %.1f}%n",
                        round, cell.name().toLowerCase(Locale.ROOT), hidden, compiled, layers, compiled / layers);
            }
        }
    }

    /** Feeds one-hot characters one step at a time through the network's own layers. */
    private static Object stepThroughLayers(MultiLayerNetwork network, int vocabularySize, int chars) {
        network.rnnClearPreviousState();
        INDArray input = Nd4j.zeros(network.params().dataType(), 1, vocabularySize, 1);
        int symbol = 0;
        for (int t = 0; t < chars; t++) {
            input.putScalar(new int[] {0, symbol, 0}, 0);
            symbol = (symbol * 31 + 7) % vocabularySize;
            input.putScalar(new int[] {0, symbol, 0}, 1);
            network.rnnTimeStep(input);
        }
        return network;
    }

    private static double charsPerSecond(Runnable work, int chars) {
        work.run(); // warm-up: the JIT and ND4J's first calls
        long start = System.nanoTime();
        work.run();
        return chars / ((System.nanoTime() - start) / 1e9);
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
