package dev.charrnn.nn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import dev.charrnn.nn.cpu.Nd4jBackend;

/**
 * Which path the service's layers take. A layer takes its path when it is created, and DL4J
 * creates every layer itself: a network's {@code init()}, a clone of its configuration for an
 * evaluation session, ModelSerializer restoring a saved model. None of those can pass a setting
 * to a layer, so the setting the service starts with is kept here, read once by each new layer.
 * It is written once at start-up ({@code Nd4jRuntime.configure}); code that needs a particular
 * path for one network, as the tests do, sets it on that network with {@link #use}.
 */
public final class LayerPaths {

    private static volatile LayerPath setting = LayerPath.AUTO;

    private LayerPaths() {
    }

    /** The setting for layers created from now on ({@code auto} resolves by backend). */
    public static void configure(LayerPath layerPath) {
        setting = layerPath;
    }

    /** The path a layer created now takes: the setting, with {@code auto} resolved for this backend. */
    public static LayerPath forNewLayers() {
        return setting.on(Nd4jBackend.name());
    }

    /** Puts every layer of {@code network} on {@code path} (host or ops); returns the network. */
    public static <N extends MultiLayerNetwork> N use(N network, LayerPath path) {
        LayerPath resolved = path.on(Nd4jBackend.name());
        for (Layer layer : network.getLayers()) {
            if (layer instanceof FusedRecurrentLayer<?> recurrent) {
                recurrent.layerPath(resolved);
            } else if (layer instanceof SoftmaxOutputLayerImpl output) {
                output.layerPath(resolved);
            }
        }
        return network;
    }
}
