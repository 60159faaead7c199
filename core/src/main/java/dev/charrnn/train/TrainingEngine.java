package dev.charrnn.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a training job runs: in this service's JVM, or as an application on a Spark cluster. */
public enum TrainingEngine {
    @JsonProperty("local") LOCAL,
    @JsonProperty("spark") SPARK
}
