package dev.charrnn.nn;

import org.deeplearning4j.nn.weights.WeightInit;

/** How weights start, per gate block (fan-in of the block's input, fan-out of its n units). */
public enum WeightInitScheme {
    /** Gaussian, variance 2 / (fanIn + fanOut) (Glorot and Bengio 2010). */
    XAVIER(WeightInit.XAVIER),
    /** Uniform with the same variance as XAVIER. */
    XAVIER_UNIFORM(WeightInit.XAVIER_UNIFORM),
    /** Uniform in +-1/sqrt(fanIn). */
    UNIFORM(WeightInit.UNIFORM),
    /** Gaussian, variance 1 / fanIn (LeCun). */
    LECUN_NORMAL(WeightInit.LECUN_NORMAL);

    private final WeightInit dl4j;

    WeightInitScheme(WeightInit dl4j) {
        this.dl4j = dl4j;
    }

    public WeightInit dl4j() {
        return dl4j;
    }
}
