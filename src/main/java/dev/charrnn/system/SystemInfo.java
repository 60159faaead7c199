package dev.charrnn.system;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "Where and how the service computes")
public record SystemInfo(
        @Schema(description = "ND4J backend: CPU (nd4j-native) or CUDA (nd4j-cuda)", example = "CPU") String backend,
        @Schema(example = "org.nd4j.linalg.cpu.nativecpu.CpuBackend") String backendClass,
        @Schema(description = "Compute devices ND4J sees", example = "1") int devices,
        @Schema(description = "OpenMP threads per ND4J op (charrnn.compute.omp-threads)", example = "1") int ompThreads,
        @Schema(description = "BLAS threads per matrix product (charrnn.compute.blas-threads)", example = "1") int blasThreads,
        @Schema(description = "Threads that share each step of the recurrent layers (charrnn.compute.step-threads)",
                example = "2") int stepThreads,
        ComputePath computePath,
        @Schema(example = "OPENBLAS") String blasVendor,
        @Schema(description = "The multiply-add kernel of batched generation: the Vector API one when the JVM runs "
                + "with --add-modules jdk.incubator.vector, else the auto-vectorized one",
                example = "vector API, 16 float lanes") String generationKernel,
        JitSettings jit,
        @Schema(description = "CPU cores the JVM sees", example = "2") int availableProcessors,
        Memory memory,
        Versions versions,
        @Schema(description = "ND4J's environment report (devices, memory, build flags)") Map<String, String> environment) {

    public record Memory(
            @Schema(description = "JVM heap in use, bytes") long heapUsed,
            @Schema(description = "JVM heap limit, bytes") long heapMax,
            @Schema(description = "Off-heap bytes held by JavaCPP (ND4J arrays)") long offHeapUsed,
            @Schema(description = "Off-heap limit, bytes (-Dorg.bytedeco.javacpp.maxbytes)") long offHeapMax,
            @Schema(description = "Resident process memory as JavaCPP measures it") long physicalBytes,
            @Schema(description = "Physical memory cap (-Dorg.bytedeco.javacpp.maxphysicalbytes)") long physicalMax) {
    }

    public record Versions(
            @Schema(example = "17.0.15") String java,
            @Schema(example = "1.0.0-M2.1") String deeplearning4j,
            @Schema(example = "1.0.0-M2.1") String nd4j,
            @Schema(example = "4.0.7") String springBoot) {
    }
}
