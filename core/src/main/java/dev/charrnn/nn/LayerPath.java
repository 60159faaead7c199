package dev.charrnn.nn;

import java.util.Locale;

/**
 * How the recurrent and output layers compute training, validation, scoring and the gradient-flow
 * probe (generation always runs on the CPU, in {@code sample.InferenceNetwork}).
 * <ul>
 *   <li>{@link #HOST}: float step math in Java over ND4J's host memory, split across the step
 *       threads. The CPU's fast path; it needs host memory, so it cannot run on a GPU.</li>
 *   <li>{@link #OPS}: ND4J operations only, so it runs wherever ND4J runs (on the device under
 *       CUDA). In double precision it is the oracle the host path is tested against.</li>
 *   <li>{@link #AUTO}: the host path on the CPU backend, the ops path on any other.</li>
 * </ul>
 */
public enum LayerPath {
    AUTO, HOST, OPS;

    /** The path this setting means on a backend ({@code "CPU"} or {@code "CUDA"}, as {@code Nd4jBackend} names them). */
    public LayerPath on(String backend) {
        return this != AUTO ? this : "CPU".equals(backend) ? HOST : OPS;
    }

    /** As the setting and {@code /api/system} write it: {@code host}, {@code ops}, {@code auto}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
