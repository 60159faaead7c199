package dev.charrnn.train.spark;

import dev.charrnn.nn.ModelSpec;
import dev.charrnn.train.SparkTrainingMaster;

/**
 * What the service asks of a Spark training run: {@code spec.json} in the run folder, read by the
 * job (trainer-spark). The network comes from {@code spec} through the service's NetworkFactory.
 *
 * @param windowsPerExample   tBPTT windows per training example: recurrent state is carried across
 *                            the windows of one example, then reset (examples go to different workers)
 * @param averagingFrequency  parameter averaging: minibatches each worker fits between two averagings
 * @param exportDirectory     where the job stages the encoded training windows (HDFS/S3 URI); null:
 *                            the run folder
 * @param networkMask         shared-gradients: the subnet (10.1.0.0/16) whose interface the workers use
 * @param corpusUri           the corpus as the cluster reads it: a UTF-8 file or a folder of them;
 *                            null: {@code corpus.txt} of the run folder (an uploaded corpus)
 * @param splitBytes          bytes of corpus each task reads
 * @param maxValidationChars  cap on the held-out tail, which the driver evaluates after every epoch
 * @param maxVocabularySize   the service's limit on distinct characters
 */
public record SparkRunSpec(String modelName, ModelSpec spec, int epochs, double validationFraction,
                           SparkTrainingMaster trainingMaster, int averagingFrequency, int windowsPerExample,
                           String exportDirectory, String networkMask, String corpusUri, long splitBytes,
                           long maxValidationChars, int maxVocabularySize) {

    public static final int DEFAULT_AVERAGING_FREQUENCY = 5;
    public static final int DEFAULT_WINDOWS_PER_EXAMPLE = 4;

    public int exampleLength() {
        return spec.seqLength() * windowsPerExample;
    }
}
