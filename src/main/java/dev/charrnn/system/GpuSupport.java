package dev.charrnn.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the GPUs ND4J's CUDA backend sees can run this build of it. libnd4jcuda in
 * nd4j-cuda-11.6 1.0.0-M2.1 holds machine code for sm_37 to sm_86 and no PTX: a device runs it
 * when its compute capability is 3.7 to 8.x (8.9 runs sm_86 code); on 9.0 and newer (H100, H200,
 * B200) there is nothing to run and the first kernel would fail, so the service says so at
 * start-up instead. It reads only ND4J's environment report, which the CPU backend fills without
 * devices: there it finds nothing to judge.
 */
public final class GpuSupport {

    /** ND4J's keys (Nd4jEnvironment): a list of one map per device. */
    static final String DEVICES = "cuda.devicesInformation";
    static final String NAME = "cuda.deviceName";
    static final String MAJOR = "cuda.deviceMajor";
    static final String MINOR = "cuda.deviceMinor";

    private GpuSupport() {
    }

    /** One sentence per device this build cannot run, saying what to use instead; empty when there is none. */
    public static List<String> unsupportedDevices(Map<?, ?> environment) {
        List<String> problems = new ArrayList<>();
        if (!(environment.get(DEVICES) instanceof List<?> devices)) {
            return problems;
        }
        for (int index = 0; index < devices.size(); index++) {
            if (!(devices.get(index) instanceof Map<?, ?> device)) {
                continue;
            }
            Integer major = number(device.get(MAJOR));
            Integer minor = number(device.get(MINOR));
            if (major == null || minor == null || supported(major, minor)) {
                continue;
            }
            problems.add("GPU " + index + " (" + device.get(NAME) + ") has compute capability " + major + "." + minor
                    + ", and this DL4J build (nd4j-cuda-11.6 1.0.0-M2.1) has GPU code for 3.7 to 8.9 only, so it "
                    + "cannot run on it: use the CPU build (without -Pcuda) on this machine");
        }
        return problems;
    }

    static boolean supported(int major, int minor) {
        return major < 9 && (major > 3 || major == 3 && minor >= 7);
    }

    /** ND4J reports these as Long; anything else that reads as a whole number is taken too. */
    private static Integer number(Object value) {
        if (value instanceof Number number) {
            return number.intValue();
        }
        if (value != null) {
            try {
                return Integer.valueOf(value.toString().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
