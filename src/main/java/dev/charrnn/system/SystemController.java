package dev.charrnn.system;

import org.springframework.boot.SpringBootVersion;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.charrnn.sample.InferenceNetwork;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@RestController
@Tag(name = "System", description = "Backend, devices, threads, memory, versions")
public class SystemController {

    private final Nd4jRuntime nd4j;

    public SystemController(Nd4jRuntime nd4j) {
        this.nd4j = nd4j;
    }

    @GetMapping("/api/system")
    @Operation(operationId = "getSystemInfo", summary = "Compute backend and resources")
    public SystemInfo system() {
        Runtime runtime = Runtime.getRuntime();
        return new SystemInfo(nd4j.backend(), nd4j.backendClass(), nd4j.deviceCount(), nd4j.ompThreads(),
                nd4j.blasThreads(), nd4j.stepThreads(), nd4j.computePath(),
                nd4j.blasVendor(), InferenceNetwork.generationKernel(),
                JitSettings.ofThisJvm(),
                runtime.availableProcessors(),
                new SystemInfo.Memory(runtime.totalMemory() - runtime.freeMemory(), runtime.maxMemory(),
                        nd4j.offHeapBytes(), nd4j.maxOffHeapBytes(), nd4j.physicalBytes(), nd4j.maxPhysicalBytes()),
                new SystemInfo.Versions(System.getProperty("java.version"),
                        Nd4jRuntime.libraryVersion("org.deeplearning4j", "deeplearning4j-nn"),
                        Nd4jRuntime.libraryVersion("org.nd4j", "nd4j-api"),
                        SpringBootVersion.getVersion()),
                nd4j.environment());
    }
}
