package dev.charrnn.system;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.Nd4jBlas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.charrnn.nn.Compute;
import dev.charrnn.nn.LayerPath;
import dev.charrnn.nn.cpu.Nd4jBackend;
import jakarta.annotation.PreDestroy;

/**
 * Loads ND4J at start-up (so the first request does not pay for it), applies the thread
 * settings and describes the backend the classpath selected.
 */
@Component
public class Nd4jRuntime {

    private static final Logger log = LoggerFactory.getLogger(Nd4jRuntime.class);

    private final int threads;
    private final int stepThreads;
    private final Compute compute;
    private final ComputePath computePath;

    public Nd4jRuntime(CharRnnProperties properties) {
        this.threads = properties.compute().ompThreads();
        this.stepThreads = properties.compute().stepThreadCount();
        // before the first ND4J operation, which is where a GPU without code for it would fail
        List<String> unsupportedGpus = GpuSupport.unsupportedDevices(Nd4j.getExecutioner().getEnvironmentInformation());
        if (!unsupportedGpus.isEmpty()) {
            log.error("This service cannot train on the GPU: {}", String.join("; ", unsupportedGpus));
        }
        this.compute = configure(properties.compute());
        LayerPath setting = properties.compute().layerPath();
        this.computePath = new ComputePath(compute.resolvedPath().label(), setting.label(), unsupportedGpus);
        log.info("ND4J backend {} ({}), {} OpenMP threads, {} BLAS threads, {} recurrent step threads, {} layer path",
                Nd4jBackend.name(), Nd4j.getBackend().getClass().getSimpleName(), ompThreads(), blas().getMaxThreads(),
                stepThreads, computePath.layerPath());
    }

    /**
     * Applies the thread settings for the process and the calling thread, and returns how the
     * layers are to compute; the service does this at start-up, a plain {@code main} (the
     * benchmark) calls it itself and closes the step threads when done.
     */
    public static Compute configure(CharRnnProperties.Compute compute) {
        Nd4jBackend.threads(compute.ompThreads(), compute.blasThreadCount());
        return Compute.of(compute.layerPath(), compute.stepThreadCount());
    }

    /** How every network the service trains, validates, scores or probes computes. */
    public Compute compute() {
        return compute;
    }

    @PreDestroy
    void stopStepThreads() {
        compute.stepThreads().close();
    }

    /**
     * OpenMP's thread count is a per-thread setting: a thread that was not told keeps the
     * process default. Every thread that runs ND4J ops calls this first (it is a cheap call).
     */
    public void applyToCurrentThread() {
        if (threads > 0) {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        }
    }

    public String backend() {
        return Nd4jBackend.name();
    }

    public String backendClass() {
        return Nd4j.getBackend().getClass().getName();
    }

    /** OpenMP threads a compute thread of this service uses. */
    public int ompThreads() {
        return threads > 0 ? threads : NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /** The layers' path in use, its setting, and the GPUs this build cannot run. */
    public ComputePath computePath() {
        return computePath;
    }

    /** Threads that share each step of the recurrent layers. */
    public int stepThreads() {
        return stepThreads;
    }

    public int blasThreads() {
        return blas().getMaxThreads();
    }

    public String blasVendor() {
        return blas().getBlasVendor().toString();
    }

    public int deviceCount() {
        return Nd4j.getAffinityManager().getNumberOfDevices();
    }

    /** ND4J's own description of the environment (for CUDA it lists every device and its memory). */
    public Map<String, String> environment() {
        Map<String, String> info = new TreeMap<>();
        Properties properties = Nd4j.getExecutioner().getEnvironmentInformation();
        properties.forEach((key, value) -> info.put(key.toString(), String.valueOf(value)));
        return info;
    }

    public long offHeapBytes() {
        return Pointer.totalBytes();
    }

    public long maxOffHeapBytes() {
        return Pointer.maxBytes();
    }

    public long physicalBytes() {
        return Pointer.physicalBytes();
    }

    public long maxPhysicalBytes() {
        return Pointer.maxPhysicalBytes();
    }

    /** Version of a library from the Maven metadata in its jar. */
    public static String libraryVersion(String groupId, String artifactId) {
        String path = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = Nd4jRuntime.class.getResourceAsStream(path)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Nd4jBlas blas() {
        return (Nd4jBlas) Nd4j.factory().blas();
    }
}
