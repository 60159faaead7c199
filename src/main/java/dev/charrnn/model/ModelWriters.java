package dev.charrnn.model;

/** Tells whether a running or queued job will write a model; implemented by the training service. */
public interface ModelWriters {
    boolean writes(String modelName);
}
