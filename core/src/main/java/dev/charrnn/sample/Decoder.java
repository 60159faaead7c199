package dev.charrnn.sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.text.CharVocabulary;

/**
 * The decoding loop. Every stream of every request in the batch advances by one character per
 * network step: draw, append (stop sequences end a stream), emit what is final, then one step of
 * the rows still going. A request joins between steps (its prime is fed on its own first) and
 * leaves as soon as it is done, so a lone request is simply a batch of one ({@link Sampler}).
 *
 * <p>The network computes every row in the same order alone or batched, so a request gives the
 * same text, bit for bit, whoever else shares its steps. Not thread-safe: one decoding thread.
 */
public final class Decoder {

    /** A request in the batch: its streams, their rows, and whom to tell when it is done. */
    private static final class Member {
        final SamplingParams params;
        final Sampler.Listener listener;
        final Consumer<List<Sampler.Sample>> whenDone;
        final List<SampleStream> streams;
        final int holdBack;
        InferenceNetwork.Row[] rows;
        int produced;

        Member(SamplingParams params, Sampler.Listener listener, Consumer<List<Sampler.Sample>> whenDone) {
            this.params = params;
            this.listener = listener;
            this.whenDone = whenDone;
            this.holdBack = SampleStream.holdBack(params);
            this.streams = SampleStream.of(params);
        }

        boolean finished() {
            return produced >= params.length() || streams.stream().noneMatch(SampleStream::active);
        }
    }

    private final InferenceNetwork network;
    private final CharVocabulary vocabulary;
    private final float[] corpusFrequencies;
    private final List<Member> members = new ArrayList<>();
    private InferenceNetwork.Row[] batch = new InferenceNetwork.Row[16];
    private int[] symbols = new int[16];

    /** {@code charCounts}: each character's count in the training text, where an empty prime starts. */
    public Decoder(InferenceNetwork network, CharVocabulary vocabulary, long[] charCounts) {
        this.network = network;
        this.vocabulary = vocabulary;
        this.corpusFrequencies = Sampler.frequencies(charCounts);
    }

    /** Feeds the request's prime on its own rows and adds it to the batch; {@code whenDone} gets its samples. */
    public void admit(SamplingParams params, Sampler.Listener listener, Consumer<List<Sampler.Sample>> whenDone) {
        Member member = new Member(params, listener, whenDone);
        member.rows = start(member);
        member.produced = params.prime().isEmpty() ? 1 : 0;
        members.add(member);
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }

    /**
     * Draws one character for every stream, retires the requests that are done, then advances the
     * rest by one network step on {@code threads} (already acquired). Returns the rows stepped.
     */
    public int step(Gang threads) {
        int count = 0;
        for (Member member : new ArrayList<>(members)) {
            boolean cancelled = member.listener.cancelled();
            int queued = count;
            if (!cancelled && !member.finished()) {
                count = draw(member, count);
                member.produced++;
            }
            if (cancelled || member.finished()) {
                retire(member, cancelled ? "cancelled" : "length");
                count = queued; // its rows were queued last: drop them
            }
        }
        if (count > 0) {
            network.step(batch, symbols, count, threads);
        }
        return count;
    }

    /** Drops every request without a word (the decoding thread failed; its caller tells them). */
    public void clear() {
        members.clear();
    }

    /**
     * The request's rows, each holding the distribution of its next character: after the prime (fed
     * once, then copied to every stream), or after a first character drawn from the corpus frequencies.
     */
    private InferenceNetwork.Row[] start(Member member) {
        InferenceNetwork.Row primed = network.newRow();
        network.feed(primed, vocabulary.encode(member.params.prime()));
        InferenceNetwork.Row[] rows = new InferenceNetwork.Row[member.streams.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i == 0 ? primed : primed.copy();
        }
        if (member.params.prime().isEmpty()) {
            int[] first = new int[rows.length];
            for (SampleStream stream : member.streams) {
                first[stream.index()] = stream.append(Sampler.draw(corpusFrequencies, 1.0, null, null, stream.random()),
                        corpusFrequencies, vocabulary, member.params);
                stream.emit(member.listener, member.holdBack);
            }
            network.step(rows, first, rows.length, Gang.CALLER_ONLY);
        }
        return rows;
    }

    /** Draws the next character of each active stream of {@code member} and queues its row for the step. */
    private int draw(Member member, int count) {
        for (SampleStream stream : member.streams) {
            if (stream.active()) {
                float[] p = member.rows[stream.index()].probabilities();
                int symbol = stream.append(Sampler.draw(p, member.params, stream.random()), p, vocabulary, member.params);
                ensureCapacity(count + 1);
                symbols[count] = symbol;
                batch[count++] = member.rows[stream.index()];
            }
            stream.emit(member.listener, member.holdBack);
        }
        return count;
    }

    private void retire(Member member, String reason) {
        List<Sampler.Sample> samples = new ArrayList<>();
        for (SampleStream stream : member.streams) {
            if (stream.active()) {
                stream.finish(reason);
            }
            stream.emit(member.listener, 0);
            samples.add(stream.toSample());
        }
        members.remove(member);
        member.whenDone.accept(samples);
    }

    private void ensureCapacity(int size) {
        if (size > batch.length) {
            batch = Arrays.copyOf(batch, 2 * size);
            symbols = Arrays.copyOf(symbols, 2 * size);
        }
    }
}
