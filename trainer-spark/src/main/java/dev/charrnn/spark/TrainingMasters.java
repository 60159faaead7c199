package dev.charrnn.spark;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.repartitioner.EqualRepartitioner;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

import dev.charrnn.train.spark.SparkRunSpec;

/** DL4J's training master for a run: parameter averaging by default, gradient sharing on request. */
final class TrainingMasters {

    /** The UDP port gradient sharing uses between the driver and every executor. */
    static final int SHARED_GRADIENTS_PORT = 49876;

    private TrainingMasters() {
    }

    /**
     * @param examplesPerFile examples in each window file, the objects the masters split among workers
     * @param driverHost the driver's address: the root of the gradient-sharing mesh unless the run
     *                   names a network mask to pick the interface by
     */
    static TrainingMaster<?, ?> create(SparkRunSpec run, int examplesPerFile, String driverHost) {
        int batch = run.spec().batchSize();
        long seed = run.spec().seed();
        return switch (run.trainingMaster()) {
            case PARAMETER_AVERAGING -> {
                yield new ParameterAveragingTrainingMaster.Builder(examplesPerFile)
                        .batchSizePerWorker(batch)
                        .averagingFrequency(run.averagingFrequency())
                        .workerPrefetchNumBatches(2)
                        .rngSeed(seed)
                        .build();
            }
            case SHARED_GRADIENTS -> {
                VoidConfiguration.VoidConfigurationBuilder mesh = VoidConfiguration.builder().unicastPort(SHARED_GRADIENTS_PORT);
                if (run.networkMask() != null) {
                    mesh.networkMask(run.networkMask());
                } else {
                    mesh.controllerAddress(address(driverHost));
                }
                // One partition per worker: DL4J's default makes one per file, and a task that starts after
                // its executor's training wrapper finished waits for it forever (seen on local[2])
                yield new SharedTrainingMaster.Builder(mesh.build(), examplesPerFile)
                        .repartitioner(new EqualRepartitioner())
                        .batchSizePerWorker(batch)
                        .workersPerNode(1)
                        .thresholdAlgorithm(new AdaptiveThresholdAlgorithm(1e-3))
                        .rngSeed(seed)
                        .build();
            }
        };
    }

    private static String address(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot resolve the driver host " + host
                    + "; give the run a networkMask for gradient sharing", e);
        }
    }
}
