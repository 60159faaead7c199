package dev.charrnn.nn;

/** Update rule applied to the (clipped) gradient. */
public enum Optimizer {
    /** Adam (Kingma and Ba 2015), beta1 0.9, beta2 0.999. */
    ADAM,
    /** RMSProp (Tieleman and Hinton 2012), decay 0.95, as in char-rnn. */
    RMSPROP,
    /** Stochastic gradient descent with Nesterov momentum 0.9. */
    SGD
}
