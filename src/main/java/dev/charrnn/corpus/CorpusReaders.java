package dev.charrnn.corpus;

/** Tells whether a queued or running job will read a corpus; implemented by the training service. */
public interface CorpusReaders {
    boolean reads(String corpusId);
}
