package dev.charrnn.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.charrnn.nn.ModelSpec;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Evaluator;
import dev.charrnn.train.SparkTrainingMaster;
import dev.charrnn.train.TrainingMetrics;
import dev.charrnn.train.spark.SparkRunFiles;
import dev.charrnn.train.spark.SparkRunProgress;
import dev.charrnn.train.spark.SparkRunSpec;

/**
 * The Spark training job: {@code spark-submit ... trainer-spark-job.jar <run folder URI>}. Reads
 * {@code spec.json}, then the corpus ({@code corpus.txt} of the folder, or the spec's corpus URI) in
 * ranges on the executors: a counting pass for the vocabulary and the held-out tail, a pass that
 * writes the training examples as compact minibatch files. Builds the service's network for the
 * spec, trains it data-parallel from those files for whole epochs, evaluates validation bits per character on the driver after each
 * epoch (rewriting {@code metrics.json}), and publishes {@code model.zip} and {@code _SUCCESS} only
 * when the validation loss is finite and fell. Exits non-zero otherwise.
 */
public final class CharRnnSparkJob {

    private static final Logger log = LoggerFactory.getLogger(CharRnnSparkJob.class);

    private CharRnnSparkJob() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: spark-submit --class " + SparkRunFiles.JOB_MAIN_CLASS
                    + " trainer-spark-job.jar <run folder: path, hdfs:// or s3a:// URI>");
            System.exit(2);
        }
        SparkRunProgress outcome;
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf(new SparkConf()))) {
            outcome = run(sc, args[0]);
        }
        if (!SparkRunProgress.SUCCEEDED.equals(outcome.state())) {
            System.err.println("char-rnn Spark job failed: " + outcome.error());
            System.exit(1);
        }
    }

    /** Kryo with ND4J's serializers: INDArrays travel between driver and executors. */
    public static SparkConf sparkConf(SparkConf conf) {
        return conf.setIfMissing("spark.app.name", "char-rnn")
                .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .setIfMissing("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
    }

    /** Trains the run in {@code runFolder}; its outcome is also in the folder's metrics.json. */
    public static SparkRunProgress run(JavaSparkContext sc, String runFolder) throws Exception {
        RunFolder folder = new RunFolder(runFolder, sc.hadoopConfiguration());
        SparkRunProgress nothingYet = new SparkRunProgress(SparkRunProgress.FAILED, 0, null, List.of(), List.of(),
                List.of(), 0, null);
        SparkRunSpec run;
        try {
            run = folder.readJson(SparkRunFiles.SPEC, SparkRunSpec.class);
        } catch (Exception e) {
            return fail(folder, nothingYet, "cannot read the spec of run folder " + folder + ": " + e);
        }
        String corpus = run.corpusUri() != null ? run.corpusUri() : folder.child(SparkRunFiles.CORPUS);
        Broadcast<SerializableHadoopConfig> hadoop = sc.broadcast(new SerializableHadoopConfig(sc.hadoopConfiguration()));
        String windowDir = run.exportDirectory() != null
                ? run.exportDirectory().replaceAll("/+$", "") + "/" + folder.name() + "-windows"
                : folder.child("windows");
        List<CorpusRange> ranges;
        CorpusScan scan;
        try {
            ranges = CorpusRange.plan(corpus, sc.hadoopConfiguration(), run.splitBytes());
            scan = CorpusScan.run(sc, ranges, hadoop);
        } catch (Exception e) {
            String reason = rootMessage(e);
            return fail(folder, nothingYet, reason.contains(corpus) ? reason
                    : "cannot read the corpus " + corpus + ": " + reason);
        }
        try {
            return new Training(sc, folder, run, scan, ranges, hadoop, windowDir).execute();
        } finally {
            RunFolder.deleteQuietly(windowDir, sc.hadoopConfiguration());
        }
    }

    /** A task's failure reaches the driver wrapped in Spark's exceptions; the cause says what to fix. */
    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static SparkRunProgress fail(RunFolder folder, SparkRunProgress progress, String reason) {
        log.error("char-rnn run {} failed: {}", folder, reason);
        SparkRunProgress failed = new SparkRunProgress(SparkRunProgress.FAILED, progress.epochs(),
                progress.initialValBpc(), progress.history(), progress.vocabulary(), progress.trainCounts(),
                progress.parameters(), reason);
        try {
            folder.writeJson(SparkRunFiles.PROGRESS, failed);
        } catch (IOException | RuntimeException e) {
            log.error("could not write the failure to {}: {}", folder, e.toString()); // the exit status still says it
        }
        return failed;
    }

    /** One run: the network, its data, and the epochs done so far. */
    private static final class Training {
        private final JavaSparkContext sc;
        private final RunFolder folder;
        private final SparkRunSpec run;
        private final ModelSpec spec;
        private final CorpusScan scan;
        private final List<CorpusRange> ranges;
        private final Broadcast<SerializableHadoopConfig> hadoop;
        private final String windowDir;
        private final List<TrainingMetrics> history = new ArrayList<>();
        private EncodedText validation;
        private List<Long> trainCounts = List.of();
        private SparkRunProgress progress;

        Training(JavaSparkContext sc, RunFolder folder, SparkRunSpec run, CorpusScan scan, List<CorpusRange> ranges,
                 Broadcast<SerializableHadoopConfig> hadoop, String windowDir) {
            this.sc = sc;
            this.folder = folder;
            this.run = run;
            this.spec = run.spec();
            this.scan = scan;
            this.ranges = ranges;
            this.hadoop = hadoop;
            this.windowDir = windowDir;
        }

        SparkRunProgress execute() throws Exception {
            int vocabularySize = scan.vocabulary().size();
            if (run.maxVocabularySize() > 0 && vocabularySize > run.maxVocabularySize()) {
                return fail(folder, report(SparkRunProgress.RUNNING, null, 0), "the corpus has " + vocabularySize
                        + " distinct characters; the limit is " + run.maxVocabularySize()
                        + " (charrnn.limits.max-vocabulary-size)");
            }
            long validationLength = scan.validationLength(run.validationFraction(), run.maxValidationChars());
            validation = scan.validationTail(validationLength, sc.hadoopConfiguration());
            trainCounts = Arrays.stream(scan.trainCounts(validation)).boxed().toList();
            int examplesPerFile = examplesPerFile(run);
            List<WindowFiles.Written> windows = WindowFiles.write(sc, scan, ranges, scan.length() - validationLength,
                    run.exampleLength(), examplesPerFile, windowDir, hadoop);
            long examples = windows.stream().mapToLong(WindowFiles.Written::examples).sum();
            long minibatches = windows.stream().mapToLong(w -> (w.examples() + spec.batchSize() - 1) / spec.batchSize())
                    .sum();
            MultiLayerNetwork network = NetworkFactory.create(spec, vocabularySize);
            double initial = validationBpc(network);
            progress = report(SparkRunProgress.RUNNING, initial, network.numParams());
            if (examples < 1 || validationLength < 2) {
                return fail(folder, progress, "the corpus is too short: " + (scan.length() - validationLength)
                        + " training characters for examples of " + (run.exampleLength() + 1) + " and "
                        + validationLength + " validation characters");
            }
            log.info("corpus: {} characters in {} ranges, vocabulary {}, {} training examples in {} files, {} held out",
                    scan.length(), ranges.size(), vocabularySize, examples, windows.size(), validationLength);
            SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, network, TrainingMasters.create(run,
                    examplesPerFile, sc.getConf().get("spark.driver.host", "127.0.0.1")));
            sparkNet.setListeners(new SparkGradientClipping(spec.gradientClipping()));
            WindowFiles.Loader loader = new WindowFiles.Loader(vocabularySize);
            List<String> paths = windows.stream().map(WindowFiles.Written::path).toList();
            for (int epoch = 1; epoch <= run.epochs(); epoch++) {
                TrainingMetrics metrics = epoch(sparkNet, paths, loader, examples, minibatches, epoch);
                log.info("epoch {}/{}: validation {} bits/char (started at {})", epoch, run.epochs(), metrics.valBpc(),
                        initial);
                if (!Double.isFinite(metrics.valBpc())) {
                    return fail(folder, progress, "validation loss is " + metrics.valBpc() + " after epoch " + epoch
                            + "; lower the learning rate or use gradient clipping");
                }
            }
            return publish(sparkNet.getNetwork(), initial);
        }

        private TrainingMetrics epoch(SparkDl4jMultiLayer sparkNet, List<String> paths, WindowFiles.Loader loader,
                                      long examples, long minibatches, int epoch) throws Exception {
            long start = System.nanoTime();
            List<String> order = new ArrayList<>(paths);
            Collections.shuffle(order, new Random(spec.seed() + epoch));
            sparkNet.fitPaths(sc.parallelize(order, Math.min(order.size(), sc.defaultParallelism())), loader);
            double seconds = (System.nanoTime() - start) / 1e9;
            double valBpc = validationBpc(sparkNet.getNetwork());
            long stepsPerEpoch = minibatches * run.windowsPerExample();
            TrainingMetrics metrics = new TrainingMetrics(stepsPerEpoch * epoch, epoch,
                    sparkNet.getScore() / spec.seqLength(), valBpc, Math.pow(2, valBpc),
                    (double) examples * run.exampleLength() / seconds, null, (double) epoch / run.epochs());
            history.add(metrics);
            progress = report(SparkRunProgress.RUNNING, progress.initialValBpc(), progress.parameters());
            return metrics;
        }

        /** Parameter averaging: what a worker fits between two averagings; gradient sharing: one minibatch. */
        private static int examplesPerFile(SparkRunSpec run) {
            return run.spec().batchSize() * (run.trainingMaster() == SparkTrainingMaster.PARAMETER_AVERAGING
                    ? run.averagingFrequency() : 1);
        }

        /** The same measure as the service's: every held-out character, carried state, bits per char. */
        private double validationBpc(MultiLayerNetwork network) {
            return Evaluator.bitsPerChar(network, validation, spec.batchSize(), spec.seqLength());
        }

        private SparkRunProgress publish(MultiLayerNetwork network, double initial) throws Exception {
            double last = history.get(history.size() - 1).valBpc();
            if (!(last < initial)) {
                return fail(folder, progress, "validation loss did not fall: " + initial + " bits/char untrained, "
                        + last + " after " + run.epochs() + " epochs; not publishing the model");
            }
            folder.writeModel(network);
            SparkRunProgress done = report(SparkRunProgress.SUCCEEDED, initial, network.numParams());
            folder.markSuccess();
            return done;
        }

        private SparkRunProgress report(String state, Double initial, long parameters) throws Exception {
            SparkRunProgress report = new SparkRunProgress(state, run.epochs(), initial, List.copyOf(history),
                    scan.vocabulary().codePoints(), trainCounts, parameters, null);
            folder.writeJson(SparkRunFiles.PROGRESS, report);
            return report;
        }
    }
}
