package dev.charrnn.train.spark;

/** The files of a Spark run folder, the contract between the service and the job. */
public final class SparkRunFiles {

    /** The job's main class inside the job jar. */
    public static final String JOB_MAIN_CLASS = "dev.charrnn.spark.CharRnnSparkJob";
    public static final String CORPUS = "corpus.txt";
    public static final String SPEC = "spec.json";
    public static final String PROGRESS = "metrics.json";
    public static final String MODEL = "model.zip";
    /** Written last, only when the model passed the job's checks. */
    public static final String SUCCESS = "_SUCCESS";
    /** The spark-submit process's output, as the service captured it. */
    public static final String DRIVER_LOG = "driver.log";

    private SparkRunFiles() {
    }
}
