package dev.charrnn.system;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.sun.management.HotSpotDiagnosticMXBean;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The JVM settings that decide whether the service's Java step math and kernels reach their speed:
 * training and generation are loops of Java float arithmetic that only HotSpot's optimizing compiler
 * (C2) vectorizes. C1 alone trains about 75x slower.
 */
@Schema(description = "The JIT settings that decide training and generation speed")
public record JitSettings(
        @Schema(description = "The JVM's own description of its mode", example = "mixed mode, sharing") String vmInfo,
        @Schema(description = "-XX:TieredStopAtLevel: 4 lets C2 compile, below 4 stops at C1 or the interpreter",
                example = "4") Integer tieredStopAtLevel,
        @Schema(description = "Whether the optimizing compiler (C2) can compile the step math", example = "true")
        boolean optimizingCompiler,
        @Schema(description = "Whether the JVM was started with --add-modules jdk.incubator.vector, which the batched "
                + "generation kernel uses", example = "true") boolean vectorModule,
        @Schema(description = "True when nothing keeps this JVM from its full speed", example = "true")
        boolean fullSpeed,
        @Schema(description = "What keeps this JVM from full speed, and what to change; empty when nothing does")
        List<String> problems) {

    /** The settings of the running JVM. */
    public static JitSettings ofThisJvm() {
        String vmInfo = System.getProperty("java.vm.info", "");
        return of(vmInfo, intOption("TieredStopAtLevel"), boolOption("TieredCompilation"), boolOption("UseCompiler"),
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    }

    /** Judges a set of settings; options a JVM does not report are empty. */
    static JitSettings of(String vmInfo, Optional<Integer> tieredStopAtLevel, Optional<Boolean> tieredCompilation,
                          Optional<Boolean> useCompiler, boolean vectorModule) {
        List<String> problems = new ArrayList<>();
        boolean interpreted = vmInfo.contains("interpreted mode") || useCompiler.filter(on -> !on).isPresent();
        boolean stopsBeforeC2 = tieredCompilation.orElse(true) && tieredStopAtLevel.filter(level -> level < 4).isPresent();
        if (interpreted) {
            problems.add("the JVM runs interpreted only (-Xint): training and generation run orders of magnitude "
                    + "slower; drop -Xint");
        } else if (stopsBeforeC2) {
            problems.add("-XX:TieredStopAtLevel=" + tieredStopAtLevel.get() + " keeps the optimizing compiler (C2) "
                    + "off, so training runs about 75x slower; drop the flag (spring-boot:run adds it unless "
                    + "optimizedLaunch is false)");
        }
        if (!vectorModule) {
            problems.add("the JVM lacks jdk.incubator.vector, so batched generation uses the slower auto-vectorized "
                    + "kernel (1.5-2x fewer samples per second at 16 streams); start java with "
                    + "--add-modules jdk.incubator.vector");
        }
        return new JitSettings(vmInfo, tieredStopAtLevel.orElse(null), !interpreted && !stopsBeforeC2, vectorModule,
                problems.isEmpty(), List.copyOf(problems));
    }

    private static Optional<Integer> intOption(String name) {
        return option(name).map(Integer::valueOf);
    }

    private static Optional<Boolean> boolOption(String name) {
        return option(name).map(Boolean::valueOf);
    }

    private static Optional<String> option(String name) {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotSpot == null ? Optional.empty() : Optional.of(hotSpot.getVMOption(name).getValue());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return Optional.empty(); // a JVM without that option (not HotSpot, or a build without C2)
        }
    }
}
