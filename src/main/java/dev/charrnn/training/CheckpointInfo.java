package dev.charrnn.training;

/** What a checkpoint records beside the weights: whose it is and where the run stood. */
record CheckpointInfo(String jobId, TrainingPosition position) {
}
