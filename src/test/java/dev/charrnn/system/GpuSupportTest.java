package dev.charrnn.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Judging ND4J's environment report, as the CUDA backend fills it (lists of per-device maps with Long values). */
class GpuSupportTest {

    @Test
    void hopperAndNewerAreReportedWithWhatToUseInstead() {
        Map<Object, Object> environment = cudaEnvironment(device("NVIDIA A100-SXM4-40GB", 8, 0),
                device("NVIDIA H100 80GB HBM3", 9, 0), device("NVIDIA B200", 10, 0));

        List<String> problems = GpuSupport.unsupportedDevices(environment);

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("GPU 1 (NVIDIA H100 80GB HBM3) has compute capability 9.0")
                .contains("cannot run on it").contains("use the CPU build");
        assertThat(problems.get(1)).startsWith("GPU 2 (NVIDIA B200) has compute capability 10.0");
    }

    @Test
    void keplerToAdaRun() {
        Map<Object, Object> environment = cudaEnvironment(device("Tesla K80", 3, 7), device("Tesla T4", 7, 5),
                device("NVIDIA A10G", 8, 6), device("NVIDIA L4", 8, 9));

        assertThat(GpuSupport.unsupportedDevices(environment)).isEmpty();
    }

    @Test
    void olderThanTheOldestKernelIsReportedToo() {
        assertThat(GpuSupport.unsupportedDevices(cudaEnvironment(device("Tesla K40", 3, 5)))).singleElement()
                .asString().contains("compute capability 3.5");
    }

    @Test
    void versionsWrittenAsTextAreRead() {
        Map<String, Object> device = new HashMap<>();
        device.put(GpuSupport.NAME, "NVIDIA H200");
        device.put(GpuSupport.MAJOR, "9");
        device.put(GpuSupport.MINOR, 0);
        assertThat(GpuSupport.unsupportedDevices(cudaEnvironment(device))).hasSize(1);
    }

    /** Inert where there is nothing to judge: the CPU backend's report, or a report of another shape. */
    @Test
    void nothingIsReportedWithoutDeviceInformation() {
        Properties cpu = Nd4j.getExecutioner().getEnvironmentInformation();
        assertThat(GpuSupport.unsupportedDevices(cpu)).isEmpty();
        assertThat(GpuSupport.unsupportedDevices(Map.of(GpuSupport.DEVICES, "[{cuda.deviceMajor=9}]"))).isEmpty();
        Map<String, Object> noVersion = new HashMap<>(Map.of(GpuSupport.NAME, "mystery"));
        assertThat(GpuSupport.unsupportedDevices(cudaEnvironment(noVersion, device("H100", 9, 0)))).hasSize(1);
        assertThat(GpuSupport.unsupportedDevices(Map.of(GpuSupport.DEVICES, List.of("not a map")))).isEmpty();
    }

    private static Map<String, Object> device(String name, long major, long minor) {
        Map<String, Object> device = new HashMap<>();
        device.put(GpuSupport.NAME, name);
        device.put(GpuSupport.MAJOR, major);
        device.put(GpuSupport.MINOR, minor);
        device.put("cuda.totalMemory", 42_000_000_000L);
        return device;
    }

    @SafeVarargs
    private static Map<Object, Object> cudaEnvironment(Map<String, Object>... devices) {
        Map<Object, Object> environment = new HashMap<>();
        environment.put("backend", "CUDA");
        environment.put("cuda.availableDevices", devices.length);
        environment.put(GpuSupport.DEVICES, List.of(devices));
        return environment;
    }
}
