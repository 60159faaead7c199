package dev.charrnn.generation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.charrnn.model.LoadedModel;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.sample.Decoder;
import dev.charrnn.sample.Sampler;
import dev.charrnn.sample.SamplingParams;

/**
 * Continuous batching for one model (as text-generation-inference does for transformers): the
 * requests in flight share the steps of one {@link Decoder}, run by one decoding thread that the
 * first request starts and the last one ends, so throughput grows with concurrency. A request
 * joins at a step boundary and leaves as soon as it is done.
 */
final class ContinuousBatcher {

    /** A request waiting to join the batch. */
    private record Arrival(SamplingParams params, Sampler.Listener listener,
                           CompletableFuture<List<Sampler.Sample>> result) {
    }

    private final LoadedModel model;
    private final Executor executor;
    private final Gang gang;
    private final List<Arrival> waiting = new ArrayList<>();
    private boolean running;
    private int largestBatch;

    // owned by the decoding thread
    private final Decoder decoder;
    private final Set<CompletableFuture<List<Sampler.Sample>>> inFlight = new HashSet<>();

    ContinuousBatcher(LoadedModel model, Executor executor, Gang gang) {
        this.model = model;
        this.decoder = new Decoder(model.inference(), model.vocabulary(),
                model.metadata().charCounts().stream().mapToLong(Long::longValue).toArray());
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
        Arrival arrival = new Arrival(params, listener, new CompletableFuture<>());
        synchronized (this) {
            waiting.add(arrival);
            if (!running) {
                running = true;
                executor.execute(this::decode);
            }
        }
        return arrival.result();
    }

    private void decode() {
        try {
            while (true) {
                List<Arrival> joining;
                synchronized (this) {
                    joining = new ArrayList<>(waiting);
                    waiting.clear();
                    if (joining.isEmpty() && decoder.isEmpty()) {
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

    private void admit(Arrival arrival) {
        inFlight.add(arrival.result());
        decoder.admit(arrival.params(), arrival.listener(), samples -> {
            inFlight.remove(arrival.result());
            arrival.result().complete(samples);
        });
    }

    private void step() {
        Gang threads = gang.acquire();
        int rows;
        try {
            rows = decoder.step(threads);
        } finally {
            threads.release();
        }
        synchronized (this) {
            largestBatch = Math.max(largestBatch, rows);
        }
    }

    private void failEveryone(Throwable error) {
        List<CompletableFuture<List<Sampler.Sample>>> everyone = new ArrayList<>(inFlight);
        synchronized (this) {
            waiting.forEach(a -> everyone.add(a.result()));
            waiting.clear();
            running = false;
        }
        decoder.clear();
        inFlight.clear();
        everyone.forEach(f -> f.completeExceptionally(error));
    }
}
