package dev.charrnn.train;

import java.util.List;

/**
 * A finished training run with what the model's metadata needs from its corpus: the vocabulary and
 * each character's count in the training split. Local runs take them from the corpus they encoded,
 * Spark runs from the job, which counted the corpus on the cluster.
 */
public record TrainingOutcome(Trainer.Result result, List<Integer> vocabulary, List<Long> trainCounts) {

    public static TrainingOutcome cancelled() {
        return new TrainingOutcome(new Trainer.Result(null, null, null, List.of(), Trainer.StopReason.CANCELLED),
                List.of(), List.of());
    }
}
