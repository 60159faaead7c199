package dev.charrnn.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the Spark workers combine what they learn (DL4J's two training masters). */
public enum SparkTrainingMaster {
    /** Workers fit their own copies and the driver averages parameters every few minibatches. */
    @JsonProperty("parameter-averaging") PARAMETER_AVERAGING,
    /** Workers exchange sparse, thresholded gradient updates over UDP (Aeron) after every minibatch. */
    @JsonProperty("shared-gradients") SHARED_GRADIENTS
}
