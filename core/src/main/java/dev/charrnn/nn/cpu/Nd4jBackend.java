package dev.charrnn.nn.cpu;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.Nd4jBlas;

/** Which ND4J backend the classpath gave us (the code never chooses it), and its thread counts. */
public final class Nd4jBackend {

    private Nd4jBackend() {
    }

    /** "CPU" for nd4j-native, "CUDA" for nd4j-cuda. */
    public static String name() {
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        return backend.toLowerCase().contains("cublas") || backend.toLowerCase().contains("cuda") ? "CUDA" : "CPU";
    }

    /**
     * OpenMP threads of ND4J's ops for the process and the calling thread ({@code ompThreads} > 0,
     * else ND4J's default) and of one OpenBLAS product (process-wide, CPU backend only).
     */
    public static void threads(int ompThreads, int blasThreads) {
        Nd4j.zeros(1); // loads the backend; NativeOpsHolder needs its configuration
        if (ompThreads > 0) {
            Nd4j.getEnvironment().setMaxThreads(ompThreads);
            Nd4j.getEnvironment().setMaxMasterThreads(ompThreads);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(ompThreads);
        }
        if ("CPU".equals(name())) {
            ((Nd4jBlas) Nd4j.factory().blas()).setMaxThreads(blasThreads);
        }
    }
}
