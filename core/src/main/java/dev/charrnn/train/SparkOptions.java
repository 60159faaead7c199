package dev.charrnn.train;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Positive;

/** Per-request Spark settings of a job with {@code engine: "spark"}; what is missing comes from charrnn.spark.*. */
@Schema(description = "Spark settings when schedule.engine is \"spark\". Missing fields take charrnn.spark.* defaults")
public record SparkOptions(
        @Schema(description = "Spark master URL: local[N], spark://host:7077, yarn, k8s://... "
                + "Default charrnn.spark.master", example = "local[2]")
        String master,
        @Schema(description = "Spark installation (SPARK_HOME) on the service host: charrnn.spark.home (the default) "
                + "or one of charrnn.spark.other-homes")
        String sparkHome,
        @Schema(description = "Executors to request (spark.executor.instances). Default charrnn.spark.executors",
                example = "2")
        @Positive Integer executors,
        @Schema(description = "parameter-averaging (default: simple, no extra network setup) or shared-gradients "
                + "(one executor per host, UDP port 49876 open, export directory on HDFS/S3)",
                example = "parameter-averaging")
        SparkTrainingMaster trainingMaster,
        @Schema(description = "parameter-averaging: minibatches each executor fits between two averagings. Default 5",
                example = "5")
        @Positive Integer averagingFrequency,
        @Schema(description = "Train on a corpus the cluster reads itself, instead of corpusId: a UTF-8 text file or "
                + "a folder of them (concatenated in name order), on storage every executor sees: hdfs://, s3a://, or "
                + "a path mounted on every node. For corpora larger than an upload. Must lie under one of "
                + "charrnn.spark.corpus-roots", example = "hdfs://namenode:8020/corpora/books/")
        String corpusUri) {
}
