package dev.charrnn.system;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.springframework.stereotype.Component;

/**
 * Counts the interactive requests (generation, scoring) running now, so background training can
 * give way to them: on a small machine the two compete for the same cores, and a person waiting
 * for text should win. Training pauses between its steps while any run, for at most
 * {@code 3x} its last step, so it keeps at least a quarter of its speed
 * ({@code charrnn.jobs.yield-to-generation=false} turns this off).
 */
@Component
public class InteractiveRequests {

    /** Training keeps at least 1 / (1 + this) of its pace while requests run. */
    private static final int PAUSE_PER_STEP = 3;
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final AtomicInteger running = new AtomicInteger();
    private final boolean yield;

    public InteractiveRequests(CharRnnProperties properties) {
        this.yield = properties.jobs().yieldToGeneration();
    }

    public void begin() {
        running.incrementAndGet();
    }

    public void end() {
        running.decrementAndGet();
    }

    public int running() {
        return running.get();
    }

    /**
     * Called by background work between two of its steps: waits while interactive requests run,
     * for at most {@code PAUSE_PER_STEP} times the step just taken. Returns the nanoseconds waited.
     */
    public long giveWay(long lastStepNanos) {
        if (!yield || running.get() == 0) {
            return 0;
        }
        long start = System.nanoTime();
        long deadline = start + Math.min(PAUSE_PER_STEP * lastStepNanos, TimeUnit.SECONDS.toNanos(1));
        while (running.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_NANOS);
        }
        return System.nanoTime() - start;
    }
}
