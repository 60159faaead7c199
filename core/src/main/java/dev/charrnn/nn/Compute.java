package dev.charrnn.nn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.common.base.Preconditions;

import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.nn.cpu.Nd4jBackend;

/**
 * How a network's layers compute: on which path, and which threads share each step of the host
 * path. DL4J creates layers itself (a network's init, a clone for evaluation, a restore from a
 * zip), so this is set on a network after it exists, with {@link #applyTo}; a layer nobody told
 * takes {@link #DEFAULT}.
 *
 * @param path        the setting ({@code auto} resolves by backend when applied)
 * @param stepThreads the gang the host path shares steps with, held by one pass at a time (a pass
 *                    that finds it taken runs on its own thread); owned and closed by the caller
 */
public record Compute(LayerPath path, Gang stepThreads) {

    /** The backend's own path, on the caller's thread alone. */
    public static final Compute DEFAULT = new Compute(LayerPath.AUTO, Gang.CALLER_ONLY);

    /**
     * {@code threads} sharing each step (the caller included) on the CPU backend; on a GPU the
     * layers stay on the calling thread, which ND4J ties to its device.
     */
    public static Compute of(LayerPath path, int threads) {
        boolean shared = threads > 1 && "CPU".equals(Nd4jBackend.name());
        return new Compute(path, shared ? new Gang(threads, "recurrent-step") : Gang.CALLER_ONLY);
    }

    /** The same threads on another path. */
    public Compute on(LayerPath other) {
        return new Compute(other, stepThreads);
    }

    /** The path a layer takes on this backend: host or ops. */
    public LayerPath resolvedPath() {
        return path.on(Nd4jBackend.name());
    }

    /** Puts every layer of {@code network} (initialised) on this path and these threads; returns the network. */
    public <N extends MultiLayerNetwork> N applyTo(N network) {
        Preconditions.checkState(network.getLayers() != null, "initialise the network before setting how it computes");
        for (Layer layer : network.getLayers()) {
            if (layer instanceof FusedRecurrentLayer<?> recurrent) {
                recurrent.compute(this);
            } else if (layer instanceof SoftmaxOutputLayerImpl output) {
                output.compute(this);
            }
        }
        return network;
    }
}
