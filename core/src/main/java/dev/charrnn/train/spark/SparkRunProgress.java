package dev.charrnn.train.spark;

import java.util.List;

import dev.charrnn.train.TrainingMetrics;

/**
 * What a Spark training run reports: {@code metrics.json} in the run folder, rewritten by the job
 * after every epoch and at the end, read by the service for per-epoch progress and the outcome.
 *
 * @param state    RUNNING, SUCCEEDED (model.zip written, _SUCCESS follows) or FAILED
 * @param initialValBpc validation loss of the untrained network, the baseline the result must beat
 * @param history  one entry per finished epoch, with its validation loss in bits per character
 * @param vocabulary  the corpus's distinct code points, sorted: the model's one-hot positions
 * @param trainCounts occurrences of each vocabulary entry in the training split
 * @param error    why the run failed, when it did
 */
public record SparkRunProgress(String state, int epochs, Double initialValBpc, List<TrainingMetrics> history,
                               List<Integer> vocabulary, List<Long> trainCounts, long parameters, String error) {

    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";

    public TrainingMetrics last() {
        return history == null || history.isEmpty() ? null : history.get(history.size() - 1);
    }
}
