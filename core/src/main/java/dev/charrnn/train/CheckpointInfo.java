package dev.charrnn.train;

/** What a checkpoint records beside the weights: whose it is and where the run stood. */
public record CheckpointInfo(String jobId, TrainingPosition position) {
}
