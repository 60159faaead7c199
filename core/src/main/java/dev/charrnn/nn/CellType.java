package dev.charrnn.nn;

/** The recurrent cell of every hidden layer. */
public enum CellType {
    /** Vanilla tanh recurrence: h = tanh(W x + R h' + b). Suffers vanishing/exploding gradients. */
    RNN,
    /** Long short-term memory (Hochreiter and Schmidhuber 1997). */
    LSTM,
    /** Gated recurrent unit (Cho et al. 2014). */
    GRU
}
