package dev.charrnn.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import dev.charrnn.nn.FusedRecurrentLayerConf;
import dev.charrnn.nn.LstmLayer;
import dev.charrnn.nn.GruLayer;
import dev.charrnn.nn.RecurrentParams;

/**
 * lambda1, the largest singular value of each gate block of every recurrent layer's RW, by power
 * iteration on RW^T RW. Each block's last right singular vector is kept and starts the next
 * measurement: the weights move little between two recordings, so a few products are enough. One
 * instance per training run; not thread-safe.
 */
public final class RecurrentSpectrum {

    /** Stop when lambda1 changes by less than this, relatively, between two products. */
    static final double TOLERANCE = 1e-7;
    static final int MAX_ITERATIONS = 500;

    private final Map<String, double[]> vectors = new HashMap<>();

    /** Every recurrent block of {@code network}, in layer and gate order. */
    public List<SpectralStats> measure(MultiLayerNetwork network) {
        List<SpectralStats> result = new ArrayList<>();
        for (int i = 0; i < network.getnLayers(); i++) {
            Layer layer = network.getLayer(i);
            if (!(layer.conf().getLayer() instanceof FusedRecurrentLayerConf conf)) {
                continue;
            }
            INDArray rw = layer.getParam(RecurrentParams.RECURRENT_WEIGHTS);
            List<String> gates = conf.gateNames();
            int n = (int) rw.size(0);
            // RW [n, gates*n] in one bulk copy, column by column as the parameters lie (reading blocks or
            // elements one by one is far slower)
            float[] all = rw.castTo(DataType.FLOAT).dup('f').data().asFloat();
            for (int g = 0; g < gates.size(); g++) {
                String param = gates.size() == 1 ? RecurrentParams.RECURRENT_WEIGHTS
                        : RecurrentParams.RECURRENT_WEIGHTS + ":" + gates.get(g);
                String key = i + "/" + param;
                double[] v = vectors.get(key);
                if (v == null || v.length != n) {
                    v = start(n, key.hashCode());
                    vectors.put(key, v);
                }
                double lambda1 = largestSingularValue(all, n, g * n, v);
                result.add(SpectralStats.of(i, param, lambda1, gamma(conf, gates.get(g))));
            }
        }
        return result;
    }

    /** The largest lambda1 of each recurrent layer's blocks, by layer index. */
    public static Map<Integer, Double> largestByLayer(List<SpectralStats> spectrum) {
        Map<Integer, Double> largest = new HashMap<>();
        for (SpectralStats s : spectrum) {
            largest.merge(s.layer(), s.lambda1(), Math::max);
        }
        return largest;
    }

    /** 1 for a tanh block (the vanilla RNN, the candidates), 1/4 for a sigmoid gate. */
    private static double gamma(FusedRecurrentLayerConf conf, String gate) {
        boolean sigmoid = conf instanceof LstmLayer ? !gate.equals("g") : conf instanceof GruLayer && !gate.equals("c");
        return sigmoid ? 0.25 : 1.0;
    }

    /**
     * sigma_1 of the [rows, v.length] block that starts at column {@code firstColumn} of the
     * column-major matrix {@code a} (element (r, c) at {@code a[c * rows + r]}), by power iteration
     * on its Gram matrix from {@code v} (unit length, overwritten with the right singular vector),
     * in double precision.
     */
    static double largestSingularValue(float[] a, int rows, int firstColumn, double[] v) {
        int columns = v.length;
        double[] av = new double[rows];
        double sigma = 0;
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            java.util.Arrays.fill(av, 0); // av = a v, a column at a time
            for (int c = 0; c < columns; c++) {
                int column = (firstColumn + c) * rows;
                double x = v[c];
                for (int r = 0; r < rows; r++) {
                    av[r] += a[column + r] * x;
                }
            }
            double next = norm(av);
            if (next == 0) {
                return 0;
            }
            double length = 0; // v = a^T av / ||a^T av||
            for (int c = 0; c < columns; c++) {
                int column = (firstColumn + c) * rows;
                double sum = 0;
                for (int r = 0; r < rows; r++) {
                    sum += a[column + r] * av[r];
                }
                v[c] = sum;
                length += sum * sum;
            }
            length = Math.sqrt(length);
            for (int c = 0; c < columns; c++) {
                v[c] /= length;
            }
            boolean converged = Math.abs(next - sigma) <= TOLERANCE * next;
            sigma = next;
            if (converged) {
                break;
            }
        }
        return sigma;
    }

    private static double norm(double[] x) {
        double sum = 0;
        for (double value : x) {
            sum += value * value;
        }
        return Math.sqrt(sum);
    }

    private static double[] start(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble() - 0.5;
        }
        double length = norm(v);
        for (int i = 0; i < n; i++) {
            v[i] /= length;
        }
        return v;
    }
}
