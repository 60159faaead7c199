package dev.charrnn.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.charrnn.Fixtures;
import dev.charrnn.nn.CellType;
import dev.charrnn.nn.NetworkFactory;
import dev.charrnn.text.CharVocabulary;
import dev.charrnn.text.EncodedText;
import dev.charrnn.train.Trainer;
import dev.charrnn.train.TrainingSchedule;

class SamplerTest {

    private static EncodedText text;
    private static MultiLayerNetwork trained;

    @BeforeAll
    static void trainOnThePattern() {
        text = Fixtures.patternText();
        trained = Trainer.train(text, Fixtures.tinySpec(CellType.LSTM, 1), TrainingSchedule.iterations(150, 0.1, 150),
                m -> { }).network();
    }

    @Test
    void greedyDecodingContinuesTheLearnedSentence() {
        String prime = "the cat sat on ";
        String continuation = sample(trained, prime, 2 * Fixtures.SENTENCE.length(), 0.0, 1);
        String expected = (Fixtures.SENTENCE + Fixtures.SENTENCE + Fixtures.SENTENCE)
                .substring(prime.length(), prime.length() + continuation.length());
        assertThat(continuation).isEqualTo(expected);
    }

    @Test
    void theSameSeedGivesTheSameTextAndOtherSeedsDiffer() {
        MultiLayerNetwork untrained = NetworkFactory.create(Fixtures.tinySpec(CellType.LSTM, 3), text.vocabulary().size());
        String first = sample(untrained, "the ", 120, 1.0, 11);
        assertThat(sample(untrained, "the ", 120, 1.0, 11)).isEqualTo(first);
        assertThat(sample(untrained, "the ", 120, 1.0, 12)).isNotEqualTo(first);
    }

    @Test
    void lengthCountsCodePointsAndAnEmptyPrimeStartsFromCharacterFrequencies() {
        CharVocabulary vocabulary = CharVocabulary.of("ab😀中\n");
        MultiLayerNetwork net = NetworkFactory.create(Fixtures.tinySpec(CellType.LSTM, 5), vocabulary.size());
        long[] onlyEmoji = new long[vocabulary.size()];
        onlyEmoji[vocabulary.indexOf("😀".codePointAt(0))] = 10;

        String out = Sampler.sample(InferenceNetwork.of(net), vocabulary, onlyEmoji, SamplingParams.simple("", 50, 1.0, 4));

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
        assertThat(Sampler.draw(p, 0.0, null, null, new SplittableRandom(1))).isZero();
        assertThat(shareOfMostLikely(p, 0.25)).isGreaterThan(0.9);
        assertThat(shareOfMostLikely(p, 1.0)).isBetween(0.55, 0.65);
        assertThat(shareOfMostLikely(p, 5.0)).isLessThan(0.45);
    }

    @Test
    void unknownPrimeCharactersAreRejected() {
        assertThatThrownBy(() -> sample(trained, "the dog", 5, 1.0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void greedyIsTheArgmaxPathAndTopKOneOrATinyTopPEqualGreedy() {
        String greedy = sample(trained, "the c", 40, 0.0, 1);
        assertThat(greedy).isEqualTo(argmaxPath("the c", 40));
        for (long seed : new long[] {3, 4}) {
            assertThat(generate("the c", 40, 1.0, 1, null, seed, List.of(), 1).get(0).text()).isEqualTo(greedy);
            assertThat(generate("the c", 40, 1.0, null, 1e-6, seed, List.of(), 1).get(0).text()).isEqualTo(greedy);
        }
    }

    @Test
    void aStopSequenceEndsTheSampleAndIsNotReturned() {
        List<Sampler.Sample> samples = generate("the cat", 50, 0.0, null, null, 1, List.of(" on", "zzz"), 1);
        assertThat(samples.get(0).text()).isEqualTo(" sat");
        assertThat(samples.get(0).finishReason()).isEqualTo("stop");
        assertThat(generate("the cat", 5, 0.0, null, null, 1, List.of("zzz"), 1).get(0).finishReason()).isEqualTo("length");
    }

    @Test
    void nSamplesRunAsOneBatchAndSampleZeroMatchesASingleRequest() {
        MultiLayerNetwork untrained = NetworkFactory.create(Fixtures.tinySpec(CellType.GRU, 3), text.vocabulary().size());
        List<Sampler.Sample> batch = Sampler.sample(InferenceNetwork.of(untrained), text.vocabulary(), text.trainCounts(),
                new SamplingParams("the ", 60, 1.0, null, null, 21, List.of(), 3, false), (i, t) -> { });
        String single = Sampler.sample(InferenceNetwork.of(untrained), text.vocabulary(), text.trainCounts(), SamplingParams.simple("the ", 60, 1.0, 21));

        assertThat(batch).hasSize(3);
        assertThat(batch.get(0).text()).isEqualTo(single);
        assertThat(batch.get(1).text()).isNotEqualTo(batch.get(0).text());
        assertThat(batch).allSatisfy(s -> assertThat(s.text()).hasSize(60));
    }

    @Test
    void logprobsAreOnePerCharacterAndNearZeroWhereTheModelIsSure() {
        List<Sampler.Sample> samples = generate("the cat sat on ", 20, 0.0, null, null, 1, List.of(), 1, true);
        List<Double> logprobs = samples.get(0).logprobs();
        assertThat(logprobs).hasSize(20).allSatisfy(lp -> assertThat(lp).isLessThanOrEqualTo(0.0));
        assertThat(logprobs.stream().mapToDouble(Double::doubleValue).average().orElseThrow()).isGreaterThan(-0.2);
    }

    @Test
    void streamedChunksAddUpToTheTextAndNeverShowTheStopSequence() {
        StringBuilder streamed = new StringBuilder();
        List<Sampler.Sample> samples = Sampler.sample(InferenceNetwork.of(trained), text.vocabulary(), text.trainCounts(),
                new SamplingParams("the cat", 50, 0.0, null, null, 1, List.of(" on"), 1, false),
                (i, chunk) -> streamed.append(chunk));
        assertThat(streamed.toString()).isEqualTo(samples.get(0).text()).doesNotContain(" on");
    }

    @Test
    void aCancelledListenerStopsGeneration() {
        StringBuilder streamed = new StringBuilder();
        List<Sampler.Sample> samples = Sampler.sample(InferenceNetwork.of(trained), text.vocabulary(), text.trainCounts(),
                SamplingParams.simple("the", 500, 1.0, 1), new Sampler.Listener() {
                    @Override
                    public void onText(int sample, String chunk) {
                        streamed.append(chunk);
                    }

                    @Override
                    public boolean cancelled() {
                        return streamed.length() >= 5;
                    }
                });
        assertThat(samples.get(0).finishReason()).isEqualTo("cancelled");
        assertThat(samples.get(0).text()).hasSize(5);
    }

    @Test
    void aTrainedTextScoresFewerBitsThanRandomCharacters() {
        int[] known = text.vocabulary().encode(Fixtures.repeatedSentence(3));
        int[] random = new SplittableRandom(5).ints(known.length, 0, text.vocabulary().size()).toArray();
        double knownBits = java.util.Arrays.stream(Scorer.surprisalBits(trained, known, text.vocabulary().size())).average().orElseThrow();
        double randomBits = java.util.Arrays.stream(Scorer.surprisalBits(trained, random, text.vocabulary().size())).average().orElseThrow();
        assertThat(knownBits).isLessThan(0.5);
        assertThat(randomBits).isGreaterThan(4 * knownBits).isGreaterThan(1.0);
    }

    private static String argmaxPath(String prime, int length) {
        trained.rnnClearPreviousState();
        int[] symbols = text.vocabulary().encode(prime);
        org.nd4j.linalg.api.ndarray.INDArray out = trained.rnnTimeStep(dev.charrnn.text.OneHot.windows(symbols,
                new int[] {0}, symbols.length, text.vocabulary().size()));
        int next = out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(symbols.length - 1)).argMax().getInt(0);
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < length; i++) {
            path.append(text.vocabulary().decode(next));
            next = trained.rnnTimeStep(dev.charrnn.text.OneHot.step(new int[] {next}, text.vocabulary().size()))
                    .argMax(1).getInt(0);
        }
        trained.rnnClearPreviousState();
        return path.toString();
    }

    private static List<Sampler.Sample> generate(String prime, int length, double temperature, Integer topK, Double topP,
                                                 long seed, List<String> stop, int n) {
        return generate(prime, length, temperature, topK, topP, seed, stop, n, false);
    }

    private static List<Sampler.Sample> generate(String prime, int length, double temperature, Integer topK, Double topP,
                                                 long seed, List<String> stop, int n, boolean logprobs) {
        return Sampler.sample(InferenceNetwork.of(trained), text.vocabulary(), text.trainCounts(),
                new SamplingParams(prime, length, temperature, topK, topP, seed, stop, n, logprobs), (i, t) -> { });
    }

    private static double shareOfMostLikely(float[] p, double temperature) {
        SplittableRandom random = new SplittableRandom(42);
        int hits = 0;
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            hits += Sampler.draw(p, temperature, null, null, random) == 0 ? 1 : 0;
        }
        return hits / (double) draws;
    }

    private static String sample(MultiLayerNetwork net, String prime, int length, double temperature, long seed) {
        return Sampler.sample(InferenceNetwork.of(net), text.vocabulary(), text.trainCounts(), SamplingParams.simple(prime, length, temperature, seed));
    }
}
