package dev.charrnn.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.charrnn.TestSupport;
import dev.charrnn.corpus.CharVocabulary;
import dev.charrnn.corpus.EncodedText;
import dev.charrnn.model.CellType;
import dev.charrnn.model.NetworkFactory;
import dev.charrnn.training.Trainer;
import dev.charrnn.training.TrainingSchedule;

class SamplerTest {

    private static EncodedText text;
    private static MultiLayerNetwork trained;

    @BeforeAll
    static void trainOnThePattern() {
        text = TestSupport.patternText();
        trained = Trainer.train(text, TestSupport.tinySpec(CellType.LSTM, 1), TrainingSchedule.iterations(150, 0.1, 150),
                m -> { }).network();
    }

    @Test
    void greedyDecodingContinuesTheLearnedSentence() {
        String prime = "the cat sat on ";
        String continuation = sample(trained, prime, 2 * TestSupport.SENTENCE.length(), 0.0, 1);
        String expected = (TestSupport.SENTENCE + TestSupport.SENTENCE + TestSupport.SENTENCE)
                .substring(prime.length(), prime.length() + continuation.length());
        assertThat(continuation).isEqualTo(expected);
    }

    @Test
    void theSameSeedGivesTheSameTextAndOtherSeedsDiffer() {
        MultiLayerNetwork untrained = NetworkFactory.create(TestSupport.tinySpec(CellType.LSTM, 3), text.vocabulary().size());
        String first = sample(untrained, "the ", 120, 1.0, 11);
        assertThat(sample(untrained, "the ", 120, 1.0, 11)).isEqualTo(first);
        assertThat(sample(untrained, "the ", 120, 1.0, 12)).isNotEqualTo(first);
    }

    @Test
    void lengthCountsCodePointsAndAnEmptyPrimeStartsFromCharacterFrequencies() {
        CharVocabulary vocabulary = CharVocabulary.of("ab😀中\n");
        MultiLayerNetwork net = NetworkFactory.create(TestSupport.tinySpec(CellType.LSTM, 5), vocabulary.size());
        long[] onlyEmoji = new long[vocabulary.size()];
        onlyEmoji[vocabulary.indexOf("😀".codePointAt(0))] = 10;

        String out = Sampler.sample(net, vocabulary, onlyEmoji, new SamplingParams("", 50, 1.0, 4));

        assertThat(out.codePointCount(0, out.length())).isEqualTo(50);
        assertThat(out).startsWith("😀");
        assertThat(vocabulary.unknownIn(out)).isEmpty();
    }

    @Test
    void sessionStateIsResetSoARepeatedCallGivesTheSameText() {
        String first = sample(trained, "the", 30, 0.7, 9);
        assertThat(sample(trained, "the", 30, 0.7, 9)).isEqualTo(first);
    }

    @Test
    void temperatureSharpensOrFlattensTheDistribution() {
        float[] p = {0.6f, 0.3f, 0.1f};
        assertThat(Sampler.draw(p, 0.0, new SplittableRandom(1))).isZero();
        assertThat(shareOfMostLikely(p, 0.25)).isGreaterThan(0.9);
        assertThat(shareOfMostLikely(p, 1.0)).isBetween(0.55, 0.65);
        assertThat(shareOfMostLikely(p, 5.0)).isLessThan(0.45);
    }

    @Test
    void unknownPrimeCharactersAreRejected() {
        assertThatThrownBy(() -> sample(trained, "the dog", 5, 1.0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static double shareOfMostLikely(float[] p, double temperature) {
        SplittableRandom random = new SplittableRandom(42);
        int hits = 0;
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            hits += Sampler.draw(p, temperature, random) == 0 ? 1 : 0;
        }
        return hits / (double) draws;
    }

    private static String sample(MultiLayerNetwork net, String prime, int length, double temperature, long seed) {
        return Sampler.sample(net, text.vocabulary(), text.trainCounts(), new SamplingParams(prime, length, temperature, seed));
    }
}
