package dev.charrnn.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The speed check judges real JVMs: this one and children started with the flags users get wrong. */
class JitSettingsTest {

    @Test
    void theTestJvmRunsAtFullSpeed() {
        JitSettings jit = JitSettings.ofThisJvm();

        assertThat(jit.problems()).isEmpty();
        assertThat(jit.fullSpeed()).isTrue();
        assertThat(jit.optimizingCompiler()).isTrue();
        assertThat(jit.vectorModule()).isTrue();
    }

    @Test
    void c1OnlyIsReportedWithWhatToChange() throws Exception {
        String report = childReport("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");

        assertThat(report).contains("fullSpeed=false", "optimizingCompiler=false", "TieredStopAtLevel=1",
                "drop the flag").doesNotContain("jdk.incubator.vector, so");
    }

    @Test
    void interpretedOnlyIsReported() throws Exception {
        String report = childReport("--add-modules", "jdk.incubator.vector", "-Xint");

        assertThat(report).contains("fullSpeed=false", "optimizingCompiler=false", "-Xint");
    }

    @Test
    void aMissingVectorModuleIsReportedButC2IsStillOn() throws Exception {
        String report = childReport();

        assertThat(report).contains("fullSpeed=false", "optimizingCompiler=true",
                "start java with --add-modules jdk.incubator.vector");
    }

    @Test
    void theFullSpeedFlagsGiveNoProblemInAChildToo() throws Exception {
        String report = childReport("--add-modules", "jdk.incubator.vector");

        assertThat(report).contains("fullSpeed=true", "problems=[]");
    }

    /** Starts a JVM with the given options and returns what {@link JitSettings#ofThisJvm()} says there. */
    private static String childReport(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PrintJitSettings.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    /** The child's main. */
    public static final class PrintJitSettings {
        public static void main(String[] args) {
            System.out.println(JitSettings.ofThisJvm());
        }
    }
}
