package dev.charrnn.nn.cpu;

import org.nd4j.linalg.factory.Nd4j;

/** Which ND4J backend the classpath gave us; the code never chooses it. */
public final class Nd4jBackend {

    private Nd4jBackend() {
    }

    /** "CPU" for nd4j-native, "CUDA" for nd4j-cuda. */
    public static String name() {
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        return backend.toLowerCase().contains("cublas") || backend.toLowerCase().contains("cuda") ? "CUDA" : "CPU";
    }
}
