package dev.charrnn.train;

import java.util.List;

/**
 * Where a run stands, saved with each checkpoint so a resumed job continues at the same data
 * position: the iteration the job started from (its bounds count from there), the epoch, the next
 * window of the streams, and the evaluations so far. The carried hidden state starts again from
 * zero after a resume.
 */
public record TrainingPosition(long jobStartIteration, long iteration, long epoch, int window,
                               List<TrainingMetrics> history) {

    public TrainingPosition {
        history = history == null ? List.of() : List.copyOf(history);
    }
}
