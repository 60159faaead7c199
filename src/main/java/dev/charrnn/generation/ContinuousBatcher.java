package dev.charrnn.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.charrnn.model.LoadedModel;
import dev.charrnn.model.Gang;
import dev.charrnn.model.inference.InferenceNetwork;

/**
 * Continuous batching for one model (as text-generation-inference does for transformers): every
 * stream of every request in flight advances by one character per network step, so throughput
 * grows with concurrency. A request joins at a step boundary (its prime is fed on its own first,
 * then its rows join the batch) and leaves as soon as it is done.
 *
 * <p>The compiled network computes every row in the same order alone or batched, so a request
 * gives the same text, bit for bit, whoever else is being served.
 */
final class ContinuousBatcher {

    /** A request in the batch: its streams and their rows. */
    private static final class Member {
        final SamplingParams params;
        final Sampler.Listener listener;
        final CompletableFuture<List<Sampler.Sample>> result = new CompletableFuture<>();
        final List<SampleStream> streams;
        final int holdBack;
        InferenceNetwork.Row[] rows;
        int produced;

        Member(SamplingParams params, Sampler.Listener listener) {
            this.params = params;
            this.listener = listener;
            this.holdBack = SampleStream.holdBack(params);
            this.streams = SampleStream.of(params);
        }
    }

    private final LoadedModel model;
    private final long[] charCounts;
    private final Executor executor;
    private final Gang gang;
    private final List<Member> waiting = new ArrayList<>();
    private boolean running;
    private int largestBatch;

    // owned by the decoder thread
    private final List<Member> members = new ArrayList<>();
    private InferenceNetwork.Row[] batch = new InferenceNetwork.Row[16];
    private int[] symbols = new int[16];

    ContinuousBatcher(LoadedModel model, Executor executor, Gang gang) {
        this.model = model;
        this.charCounts = model.metadata().charCounts().stream().mapToLong(Long::longValue).toArray();
        this.executor = executor;
        this.gang = gang;
    }

    LoadedModel model() {
        return model;
    }

    /** Rows in the largest step so far (1 means nothing was ever batched). */
    synchronized int largestBatch() {
        return largestBatch;
    }

    CompletableFuture<List<Sampler.Sample>> submit(SamplingParams params, Sampler.Listener listener) {
        Member member = new Member(params, listener);
        synchronized (this) {
            waiting.add(member);
            if (!running) {
                running = true;
                executor.execute(this::decode);
            }
        }
        return member.result;
    }

    private void decode() {
        try {
            while (true) {
                List<Member> joining;
                synchronized (this) {
                    joining = new ArrayList<>(waiting);
                    waiting.clear();
                    if (joining.isEmpty() && members.isEmpty()) {
                        running = false;
                        return;
                    }
                }
                joining.forEach(this::admit);
                step();
            }
        } catch (RuntimeException | Error e) {
            failEveryone(e);
            throw e;
        }
    }

    /** Feeds the newcomer's prime (on its own rows) and adds it to the batch. */
    private void admit(Member member) {
        member.rows = Sampler.start(model.inference(), model.vocabulary(), charCounts, member.params, member.streams,
                member.listener, member.holdBack, Gang.CALLER_ONLY);
        member.produced = member.params.prime().isEmpty() ? 1 : 0;
        members.add(member);
    }

    /** Draws one character for every stream, retires finished requests, then advances the rest one step. */
    private void step() {
        int count = 0;
        for (Member member : new ArrayList<>(members)) {
            boolean cancelled = member.listener.cancelled();
            boolean done = cancelled || member.produced >= member.params.length()
                    || member.streams.stream().noneMatch(SampleStream::active);
            int queued = count;
            if (!done) {
                count = draw(member, count);
                member.produced++;
                done = member.produced >= member.params.length() || member.streams.stream().noneMatch(SampleStream::active);
            }
            if (done) {
                retire(member, cancelled ? "cancelled" : "length");
                count = queued; // its rows were queued last: drop them
            }
        }
        if (count > 0) {
            synchronized (this) {
                largestBatch = Math.max(largestBatch, count);
            }
            Gang threads = gang.acquire();
            try {
                model.inference().step(batch, symbols, count, threads);
            } finally {
                threads.release();
            }
        }
    }

    /** Draws the next character of each active stream of {@code member} and queues its row for the step. */
    private int draw(Member member, int count) {
        for (SampleStream stream : member.streams) {
            if (stream.active()) {
                float[] p = member.rows[stream.index()].probabilities();
                int symbol = stream.append(Sampler.draw(p, member.params, stream.random()), p, model.vocabulary(),
                        member.params);
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
        member.result.complete(samples);
    }

    private void ensureCapacity(int size) {
        if (size > batch.length) {
            batch = Arrays.copyOf(batch, 2 * size);
            symbols = Arrays.copyOf(symbols, 2 * size);
        }
    }

    private void failEveryone(Throwable error) {
        List<Member> everyone = new ArrayList<>(members);
        synchronized (this) {
            everyone.addAll(waiting);
            waiting.clear();
            running = false;
        }
        members.clear();
        everyone.forEach(m -> m.result.completeExceptionally(error));
    }
}
