package dev.charrnn.model;

/** Tells whether a running or queued job will write a model; implemented by the training service. */
public interface ModelWriters {
    boolean writes(String modelName);

    /** Generation requests on a model in flight; implemented by the generation service. */
    interface Readers {
        int readers(String modelName);
    }
}
