package dev.charrnn.spark;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

import dev.charrnn.training.spark.SparkRunSpec;

/** DL4J's training master for a run: parameter averaging by default, gradient sharing on request. */
final class TrainingMasters {

    /** The UDP port gradient sharing uses between the driver and every executor. */
    static final int SHARED_GRADIENTS_PORT = 49876;

    private TrainingMasters() {
    }

    /**
     * @param driverHost the driver's address: the root of the gradient-sharing mesh unless the run
     *                   names a network mask to pick the interface by
     */
    static TrainingMaster<?, ?> create(SparkRunSpec run, boolean localMaster, String driverHost) {
        int batch = run.spec().batchSize();
        long seed = run.spec().seed();
        return switch (run.trainingMaster()) {
            case PARAMETER_AVERAGING -> {
                ParameterAveragingTrainingMaster.Builder builder = new ParameterAveragingTrainingMaster.Builder(1)
                        .batchSizePerWorker(batch)
                        .averagingFrequency(run.averagingFrequency())
                        .workerPrefetchNumBatches(2)
                        .rngSeed(seed)
                        .rddTrainingApproach(approach(run, localMaster));
                if (run.exportDirectory() != null) {
                    builder.exportDirectory(run.exportDirectory());
                }
                yield builder.build();
            }
            case SHARED_GRADIENTS -> {
                VoidConfiguration.VoidConfigurationBuilder mesh = VoidConfiguration.builder().unicastPort(SHARED_GRADIENTS_PORT);
                if (run.networkMask() != null) {
                    mesh.networkMask(run.networkMask());
                } else {
                    mesh.controllerAddress(address(driverHost));
                }
                SharedTrainingMaster.Builder builder = new SharedTrainingMaster.Builder(mesh.build(), 1)
                        .batchSizePerWorker(batch)
                        .workersPerNode(1)
                        .thresholdAlgorithm(new AdaptiveThresholdAlgorithm(1e-3))
                        .rngSeed(seed)
                        .rddTrainingApproach(approach(run, localMaster));
                if (run.exportDirectory() != null) {
                    builder.exportDirectory(run.exportDirectory());
                }
                yield builder.build();
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

    /**
     * Export (DL4J's default) stages minibatches under the default Hadoop file system, which on a
     * cluster must be shared (HDFS/S3): without an export directory a cluster run uses Direct.
     */
    private static RDDTrainingApproach approach(SparkRunSpec run, boolean localMaster) {
        return run.exportDirectory() != null || localMaster ? RDDTrainingApproach.Export : RDDTrainingApproach.Direct;
    }
}
