package dev.charrnn.generation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import dev.charrnn.corpus.OneHot;
import dev.charrnn.model.LoadedModel;
import dev.charrnn.model.layers.FusedRecurrentLayer;

/**
 * Continuous batching for one model (as text-generation-inference does for transformers): every
 * stream of every request in flight advances by one character per network step, so throughput
 * grows with concurrency. A request joins at a step boundary (its prime is fed on its own first,
 * then its state rows are appended to the batch) and leaves as soon as it is done.
 *
 * <p>Rows of a batched matrix product can round differently from the same row computed alone
 * (ND4J/OpenBLAS: up to ~1e-7), so a draw near a boundary can differ: batching trades bit-exact
 * seed reproducibility for throughput, which is why it is a setting.
 */
final class ContinuousBatcher {

    /** A request in the batch: its streams and where its rows are. */
    private static final class Member {
        final SamplingParams params;
        final Sampler.Listener listener;
        final CompletableFuture<List<Sampler.Sample>> result = new CompletableFuture<>();
        final List<SampleStream> streams = new ArrayList<>();
        final int holdBack;
        int produced;

        Member(SamplingParams params, Sampler.Listener listener) {
            this.params = params;
            this.listener = listener;
            this.holdBack = SampleStream.holdBack(params);
            streams.addAll(SampleStream.of(params));
        }
    }

    private final LoadedModel model;
    private final long[] charCounts;
    private final Executor executor;
    private final Runnable threadSetup;
    private final List<Member> waiting = new ArrayList<>();
    private boolean running;
    private int largestBatch;

    // owned by the decoder thread
    private final List<Member> members = new ArrayList<>();
    private final List<float[]> rowProbabilities = new ArrayList<>();
    private MultiLayerNetwork session;
    private MultiLayerNetwork primer;

    ContinuousBatcher(LoadedModel model, Executor executor, Runnable threadSetup) {
        this.model = model;
        this.charCounts = model.metadata().charCounts().stream().mapToLong(Long::longValue).toArray();
        this.executor = executor;
        this.threadSetup = threadSetup;
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
        threadSetup.run();
        if (session == null) {
            session = model.newSession();
            primer = model.newSession();
        }
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

    /** Feeds the newcomer's prime on the primer network and appends its state rows to the batch. */
    private void admit(Member member) {
        int n = member.params.n();
        int vocabularySize = model.vocabulary().size();
        primer.rnnClearPreviousState();
        int[] prime = model.vocabulary().encode(member.params.prime());
        float[] last;
        if (prime.length > 0) {
            INDArray out = primer.rnnTimeStep(OneHot.windows(prime, new int[n], prime.length, vocabularySize));
            last = out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(prime.length - 1)).dup('c')
                    .data().asFloat();
        } else {
            float[] frequencies = Sampler.frequencies(charCounts);
            int[] first = new int[n];
            for (SampleStream stream : member.streams) {
                first[stream.index()] = stream.append(Sampler.draw(frequencies, 1.0, null, null, stream.random()),
                        frequencies, model.vocabulary(), member.params);
                stream.emit(member.listener, member.holdBack);
            }
            member.produced = 1;
            last = primer.rnnTimeStep(OneHot.step(first, vocabularySize)).dup('c').data().asFloat();
        }
        for (int layer = 0; layer < recurrentLayers(); layer++) {
            INDArray rows = primer.rnnGetPreviousState(layer).get(FusedRecurrentLayer.STATE_KEY);
            Map<String, INDArray> current = session.rnnGetPreviousState(layer);
            INDArray batch = current.isEmpty() ? rows : Nd4j.vstack(current.get(FusedRecurrentLayer.STATE_KEY), rows);
            session.rnnSetPreviousState(layer, Map.of(FusedRecurrentLayer.STATE_KEY, batch.dup('c')));
        }
        for (int r = 0; r < n; r++) {
            rowProbabilities.add(java.util.Arrays.copyOfRange(last, r * vocabularySize, (r + 1) * vocabularySize));
        }
        members.add(member);
        if (member.produced >= member.params.length()) {
            member.streams.forEach(s -> s.finish("length"));
        }
    }

    /** Draws one character for every stream, retires finished requests, then advances the rest one step. */
    private void step() {
        int vocabularySize = model.vocabulary().size();
        List<Integer> keptRows = new ArrayList<>();
        List<Integer> symbols = new ArrayList<>();
        int row = 0;
        for (Member member : new ArrayList<>(members)) {
            boolean cancelled = member.listener.cancelled();
            boolean done = cancelled || member.produced >= member.params.length()
                    || member.streams.stream().noneMatch(SampleStream::active);
            for (SampleStream stream : member.streams) {
                float[] p = rowProbabilities.get(row + stream.index());
                if (!done && stream.active()) {
                    symbols.add(stream.append(Sampler.draw(p, member.params, stream.random()), p, model.vocabulary(),
                            member.params));
                    stream.emit(member.listener, member.holdBack);
                } else {
                    symbols.add(0);
                }
            }
            if (!done) {
                member.produced++;
                done = member.produced >= member.params.length() || member.streams.stream().noneMatch(SampleStream::active);
            }
            if (done) {
                retire(member, cancelled ? "cancelled" : "length");
                symbols.subList(symbols.size() - member.streams.size(), symbols.size()).clear();
            } else {
                for (int i = 0; i < member.streams.size(); i++) {
                    keptRows.add(row + i);
                }
            }
            row += member.streams.size();
        }
        keepRows(keptRows);
        if (!members.isEmpty()) {
            synchronized (this) {
                largestBatch = Math.max(largestBatch, symbols.size());
            }
            float[] out = session.rnnTimeStep(OneHot.step(symbols.stream().mapToInt(Integer::intValue).toArray(),
                    vocabularySize)).dup('c').data().asFloat();
            rowProbabilities.clear();
            for (int r = 0; r < symbols.size(); r++) {
                rowProbabilities.add(java.util.Arrays.copyOfRange(out, r * vocabularySize, (r + 1) * vocabularySize));
            }
        }
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

    /** Keeps only the given rows of the batch state and of the pending distributions. */
    private void keepRows(List<Integer> rows) {
        if (rows.size() == rowProbabilities.size()) {
            return;
        }
        List<float[]> kept = new ArrayList<>();
        rows.forEach(r -> kept.add(rowProbabilities.get(r)));
        rowProbabilities.clear();
        rowProbabilities.addAll(kept);
        long[] indices = rows.stream().mapToLong(Integer::longValue).toArray();
        for (int layer = 0; layer < recurrentLayers(); layer++) {
            if (indices.length == 0) {
                session.rnnSetPreviousState(layer, new HashMap<>());
            } else {
                INDArray state = session.rnnGetPreviousState(layer).get(FusedRecurrentLayer.STATE_KEY);
                session.rnnSetPreviousState(layer, Map.of(FusedRecurrentLayer.STATE_KEY,
                        state.get(NDArrayIndex.indices(indices), NDArrayIndex.all()).dup('c')));
            }
        }
    }

    private int recurrentLayers() {
        int count = 0;
        for (org.deeplearning4j.nn.api.Layer layer : session.getLayers()) {
            if (layer instanceof RecurrentLayer) {
                count++;
            }
        }
        return count;
    }

    private void failEveryone(Throwable error) {
        List<Member> everyone = new ArrayList<>(members);
        synchronized (this) {
            everyone.addAll(waiting);
            waiting.clear();
            running = false;
        }
        members.clear();
        rowProbabilities.clear();
        if (session != null) {
            session.rnnClearPreviousState();
        }
        everyone.forEach(m -> m.result.completeExceptionally(error));
    }
}
