package dev.charrnn.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.charrnn.corpus.EncodedText;
import dev.charrnn.model.ModelSpec;
import dev.charrnn.model.NetworkFactory;
import dev.charrnn.model.TrainingMetrics;
import dev.charrnn.training.Evaluator;
import dev.charrnn.training.spark.SparkRunFiles;
import dev.charrnn.training.spark.SparkRunProgress;
import dev.charrnn.training.spark.SparkRunSpec;

/**
 * The Spark training job: {@code spark-submit ... trainer-spark-job.jar <run folder URI>}. Reads
 * {@code corpus.txt} and {@code spec.json}, builds the service's network for the spec, trains it
 * data-parallel for whole epochs, evaluates validation bits per character on the driver after each
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
        SparkRunSpec run;
        EncodedText text;
        try {
            run = folder.readJson(SparkRunFiles.SPEC, SparkRunSpec.class);
            text = EncodedText.of(folder.readText(SparkRunFiles.CORPUS), run.validationFraction());
        } catch (Exception e) {
            return fail(folder, new SparkRunProgress(SparkRunProgress.FAILED, 0, null, List.of(), List.of(), 0, null),
                    "cannot read the corpus or spec of run folder " + folder + ": " + e);
        }
        return new Training(sc, folder, run, text).execute();
    }

    private static SparkRunProgress fail(RunFolder folder, SparkRunProgress progress, String reason) {
        log.error("char-rnn run {} failed: {}", folder, reason);
        SparkRunProgress failed = new SparkRunProgress(SparkRunProgress.FAILED, progress.epochs(),
                progress.initialValBpc(), progress.history(), progress.vocabulary(), progress.parameters(), reason);
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
        private final EncodedText text;
        private final List<TrainingMetrics> history = new ArrayList<>();
        private SparkRunProgress progress;

        Training(JavaSparkContext sc, RunFolder folder, SparkRunSpec run, EncodedText text) {
            this.sc = sc;
            this.folder = folder;
            this.run = run;
            this.spec = run.spec();
            this.text = text;
        }

        SparkRunProgress execute() throws Exception {
            CharWindows windows = new CharWindows(sc, text.symbols(), text.trainLength(), text.vocabulary().size(),
                    run.exampleLength());
            MultiLayerNetwork network = NetworkFactory.create(spec, text.vocabulary().size());
            double initial = validationBpc(network);
            progress = report(SparkRunProgress.RUNNING, initial, network.numParams(), null);
            if (windows.count() < 1 || text.validationLength() < 2) {
                return fail(folder, progress, "the corpus is too short: " + text.trainLength() + " training characters "
                        + "for examples of " + (run.exampleLength() + 1) + " and " + text.validationLength()
                        + " validation characters");
            }
            SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, network,
                    TrainingMasters.create(run, sc.isLocal(), sc.getConf().get("spark.driver.host", "127.0.0.1")));
            sparkNet.setListeners(new SparkGradientClipping(spec.gradientClipping()));
            for (int epoch = 1; epoch <= run.epochs(); epoch++) {
                TrainingMetrics metrics = epoch(sparkNet, windows, epoch);
                log.info("epoch {}/{}: validation {} bits/char (started at {})", epoch, run.epochs(), metrics.valBpc(),
                        initial);
                if (!Double.isFinite(metrics.valBpc())) {
                    return fail(folder, progress, "validation loss is " + metrics.valBpc() + " after epoch " + epoch
                            + "; lower the learning rate or use gradient clipping");
                }
            }
            return publish(sparkNet.getNetwork(), initial);
        }

        private TrainingMetrics epoch(SparkDl4jMultiLayer sparkNet, CharWindows windows, int epoch) throws Exception {
            long start = System.nanoTime();
            sparkNet.fit(windows.epoch(sc, spec.seed() + epoch));
            double seconds = (System.nanoTime() - start) / 1e9;
            double valBpc = validationBpc(sparkNet.getNetwork());
            long stepsPerEpoch = (long) Math.ceil(windows.count() / (double) spec.batchSize()) * run.windowsPerExample();
            TrainingMetrics metrics = new TrainingMetrics(stepsPerEpoch * epoch, epoch,
                    sparkNet.getScore() / spec.seqLength(), valBpc, Math.pow(2, valBpc),
                    (double) windows.count() * run.exampleLength() / seconds, null, (double) epoch / run.epochs());
            history.add(metrics);
            progress = report(SparkRunProgress.RUNNING, progress.initialValBpc(), progress.parameters(), null);
            return metrics;
        }

        /** The same measure as the service's: every validation character, carried state, bits per char. */
        private double validationBpc(MultiLayerNetwork network) {
            return Evaluator.bitsPerChar(network, text, spec.batchSize(), spec.seqLength());
        }

        private SparkRunProgress publish(MultiLayerNetwork network, double initial) throws Exception {
            double last = history.get(history.size() - 1).valBpc();
            if (!(last < initial)) {
                return fail(folder, progress, "validation loss did not fall: " + initial + " bits/char untrained, "
                        + last + " after " + run.epochs() + " epochs; not publishing the model");
            }
            folder.writeModel(network);
            SparkRunProgress done = report(SparkRunProgress.SUCCEEDED, initial, network.numParams(), null);
            folder.markSuccess();
            return done;
        }

        private SparkRunProgress report(String state, double initial, long parameters, String error) throws Exception {
            SparkRunProgress report = new SparkRunProgress(state, run.epochs(), initial, List.copyOf(history),
                    text.vocabulary().codePoints(), parameters, error);
            folder.writeJson(SparkRunFiles.PROGRESS, report);
            return report;
        }
    }
}
