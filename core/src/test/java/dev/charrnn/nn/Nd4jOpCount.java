package dev.charrnn.nn;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * Counts the ND4J operations executed while it is open (every thread), through ND4J's own
 * profiler: with elapsed-time checks on, the executioner reports every op it runs. A BLAS call
 * made directly (as the host path's products are) is not an ND4J op and is not counted.
 */
public final class Nd4jOpCount implements AutoCloseable {

    private final ProfilerConfig previous = OpProfiler.getInstance().getConfig();

    public Nd4jOpCount() {
        OpProfiler.getInstance().reset();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true)
                .checkWorkspaces(false).build());
    }

    /** Every op so far. */
    public long total() {
        return OpProfiler.getInstance().getInvocationsCount();
    }

    /** Ops so far with this name (libnd4j's: "matmul", "multiply", "tanh", ...). */
    public long of(String opName) {
        return OpProfiler.getInstance().getOpCounter().getCount(opName);
    }

    @Override
    public void close() {
        Nd4j.getExecutioner().setProfilingConfig(previous);
        OpProfiler.getInstance().reset();
    }
}
