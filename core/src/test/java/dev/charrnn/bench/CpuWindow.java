package dev.charrnn.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU that others took while a timed window ran, in cores, as the peer measures it: the machine's
 * busy time from /proc/stat minus this process's CPU time ("other"), and the hypervisor's steal.
 * More than about 0.1 core of either means the window's timing is suspect. Linux only (else null).
 * In the core's test jar, so the core's benchmarks and the service's share it.
 */
public final class CpuWindow {

    /** What a window saw: cores used by other processes, cores stolen by the hypervisor. */
    public record Contention(double other, double steal) {
        public boolean suspect() {
            return other > 0.1 || steal > 0.1;
        }
    }

    private static final Path STAT = Path.of("/proc/stat");
    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final long startNanos = System.nanoTime();
    private final double[] start = sample();

    /** The contention since this window opened, or null where /proc/stat cannot be read. */
    public Contention close() {
        double[] end = sample();
        if (start == null || end == null) {
            return null;
        }
        double wall = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
        double other = ((end[0] - start[0]) - (end[2] - start[2])) / wall;
        return new Contention(round(Math.max(other, 0)), round((end[1] - start[1]) / wall));
    }

    /** busy seconds (user nice system irq softirq), steal seconds, this process's CPU seconds. */
    private static double[] sample() {
        try {
            String[] fields = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            long busy = Long.parseLong(fields[1]) + Long.parseLong(fields[2]) + Long.parseLong(fields[3])
                    + Long.parseLong(fields[6]) + Long.parseLong(fields[7]);
            long steal = fields.length > 8 ? Long.parseLong(fields[8]) : 0;
            double own = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e9;
            return new double[] {busy / TICKS_PER_SECOND, steal / TICKS_PER_SECOND, own};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
