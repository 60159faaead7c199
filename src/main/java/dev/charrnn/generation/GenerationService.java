package dev.charrnn.generation;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.charrnn.model.LoadedModel;
import dev.charrnn.model.ModelSpecValidator;
import dev.charrnn.model.ModelStore;
import dev.charrnn.model.ModelWriters;
import dev.charrnn.nn.cpu.Gang;
import dev.charrnn.sample.Sampler;
import dev.charrnn.sample.SamplingParams;
import dev.charrnn.sample.Scorer;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.InteractiveRequests;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.system.SseChannel;
import dev.charrnn.system.SseChannels;
import dev.charrnn.text.CharVocabulary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.annotation.PreDestroy;

/**
 * Serves generation and scoring. Every request runs on a private network session over the
 * shared, cached weights, so concurrent requests never see each other's recurrent state. At most
 * {@code max-concurrent-generations} run at once; beyond that the answer is 503 + Retry-After.
 */
@Service
public class GenerationService implements ModelWriters.Readers {

    private static final Logger log = LoggerFactory.getLogger(GenerationService.class);

    private final ModelStore models;
    private final CharRnnProperties.Limits limits;
    private final Nd4jRuntime nd4j;
    private final Semaphore slots;
    private final ExecutorService streamers;
    private final ExecutorService decoders;
    private final Gang gang;
    private final Map<String, ContinuousBatcher> batchers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    private final SseChannels channels;
    private final InteractiveRequests interactive;

    public GenerationService(ModelStore models, CharRnnProperties properties, Nd4jRuntime nd4j,
                             ObjectProvider<MeterRegistry> meters, SseChannels channels,
                             InteractiveRequests interactive) {
        this.channels = channels;
        this.interactive = interactive;
        this.models = models;
        this.limits = properties.limits();
        this.nd4j = nd4j;
        this.slots = new Semaphore(limits.maxConcurrentGenerations());
        this.timeoutNanos = limits.generationTimeout().toNanos();
        this.decoders = Executors.newCachedThreadPool(daemon("generation-decoder-"));
        this.gang = new Gang(properties.generation().threads(), "generation-step");
        Gauge.builder("charrnn.generations.active", slots, s -> limits.maxConcurrentGenerations() - s.availablePermits())
                .description("Generation and scoring requests running now")
                .register(meters.getIfAvailable(SimpleMeterRegistry::new));
        this.streamers = Executors.newFixedThreadPool(limits.maxConcurrentGenerations(), daemon("generation-stream-"));
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public int readers(String modelName) {
        AtomicInteger count = inFlight.get(modelName);
        return count == null ? 0 : count.get();
    }

    /** Rows in the largest batched step a model's decoder has run (0 when it never ran batched). */
    public int largestBatch(String modelName) {
        ContinuousBatcher batcher = batchers.get(modelName);
        return batcher == null ? 0 : batcher.largestBatch();
    }

    /** A validated request, ready to run. */
    private record Job(String modelName, LoadedModel model, SamplingParams params) {
    }

    public GenerateResponse generate(String modelName, GenerateRequest request) {
        Job job = prepare(modelName, request);
        acquireSlot();
        try {
            nd4j.applyToCurrentThread();
            long start = System.nanoTime();
            List<Sampler.Sample> samples = run(job, (sample, text) -> { });
            return response(job, samples, start);
        } finally {
            slots.release();
        }
    }

    /**
     * Starts a generation for a caller with a wire format of its own (the /v1 routes): the text goes
     * to {@code listener} as it becomes final. Validated and given a slot before this returns, so a
     * refusal is still an HTTP status; the slot is free again by the time the future completes.
     */
    public CompletableFuture<GenerateResponse> submit(String modelName, GenerateRequest request,
                                                      Sampler.Listener listener) {
        Job job = prepare(modelName, request);
        acquireSlot();
        long start = System.nanoTime();
        try {
            return begin(job, listener).whenComplete((samples, error) -> slots.release())
                    .thenApply(samples -> response(job, samples, start));
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    /** Runs scoring work under a generation slot, as /score runs: limited, counted, and given way to by training. */
    public <T> T scoring(Supplier<T> work) {
        acquireSlot();
        interactive.begin();
        try {
            return work.get();
        } finally {
            interactive.end();
            slots.release();
        }
    }

    /**
     * Streams the samples as Server-Sent Events: {@code chunk} events with {sample, text} as the
     * characters become final, then one {@code done} event with the full response. A client that
     * goes away stops the generation at the next character.
     */
    public SseEmitter stream(String modelName, GenerateRequest request) {
        Job job = prepare(modelName, request);
        acquireSlot();
        try {
            SseChannel channel = channels.open();
            streamers.execute(() -> streamTo(channel, job));
            return channel.emitter();
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    public ScoreResponse score(String modelName, ScoreRequest request) {
        LoadedModel model = models.load(modelName);
        String text = known(model.vocabulary(), request.text(), request.unknownChars(), "text");
        int length = text.codePointCount(0, text.length());
        ModelSpecValidator.requireRange("text length", length, 2, limits.maxScoreLength(), "max-score-length");
        int[] symbols = model.vocabulary().encode(text);
        double[] bits = scoring(() -> {
            nd4j.applyToCurrentThread();
            return Scorer.surprisalBits(model.newSession(nd4j.compute()), symbols, model.vocabulary().size());
        });
        double mean = Arrays.stream(bits).average().orElse(Double.NaN);
        List<ScoreResponse.CharacterSurprisal> perCharacter = !request.perCharacter() ? null
                : IntStream.range(0, bits.length)
                .mapToObj(i -> new ScoreResponse.CharacterSurprisal(model.vocabulary().decode(symbols[i + 1]), bits[i]))
                .toList();
        return new ScoreResponse(modelName, bits.length, mean, Math.pow(2, mean), perCharacter);
    }

    @PreDestroy
    void shutdown() {
        streamers.shutdownNow();
        decoders.shutdownNow();
        gang.close();
    }

    /** Characters of one sample that became final; a client that reads slowly gets them merged. */
    record Chunk(int sample, String text) {

        static Object merge(Object older, Object newer) {
            return new Chunk(((Chunk) older).sample, ((Chunk) older).text + ((Chunk) newer).text);
        }
    }

    /** Decodes into the channel; the decoder never waits for the client, and one that left or stalled stops it. */
    private void streamTo(SseChannel channel, Job job) {
        try {
            nd4j.applyToCurrentThread();
            long start = System.nanoTime();
            List<Sampler.Sample> samples = run(job, new Sampler.Listener() {
                @Override
                public void onText(int sample, String text) {
                    channel.sendMerged("chunk", "chunk " + sample, new Chunk(sample, text), Chunk::merge);
                }

                @Override
                public boolean cancelled() {
                    return !channel.isOpen();
                }
            });
            channel.send("done", response(job, samples, start));
            channel.complete();
        } catch (RuntimeException e) {
            log.error("streamed generation failed", e);
            channel.completeWithError(e);
        } finally {
            slots.release();
        }
    }

    private List<Sampler.Sample> run(Job job, Sampler.Listener client) {
        try {
            return begin(job, client).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Starts a job on its model's batcher, counted as a reader of the model until it ends or exceeds the timeout. */
    private CompletableFuture<List<Sampler.Sample>> begin(Job job, Sampler.Listener client) {
        long deadline = System.nanoTime() + timeoutNanos;
        Sampler.Listener listener = new Sampler.Listener() {
            @Override
            public void onText(int sample, String text) {
                client.onText(sample, text);
            }

            @Override
            public boolean cancelled() {
                return client.cancelled() || System.nanoTime() > deadline;
            }
        };
        AtomicInteger readers = inFlight.computeIfAbsent(job.modelName(), name -> new AtomicInteger());
        readers.incrementAndGet();
        interactive.begin();
        Runnable ended = () -> {
            interactive.end();
            readers.decrementAndGet();
        };
        try {
            return batcher(job).submit(job.params(), listener).whenComplete((samples, error) -> ended.run());
        } catch (RuntimeException e) {
            ended.run();
            throw e;
        }
    }

    private ContinuousBatcher batcher(Job job) {
        LoadedModel model = job.model();
        return batchers.compute(job.modelName(), (name, current) ->
                current != null && current.model() == model ? current
                        : new ContinuousBatcher(model, decoders, gang));
    }

    private Job prepare(String modelName, GenerateRequest request) {
        ModelSpecValidator.requireRange("length", request.length(), 1, limits.maxGenerateLength(),
                "max-generate-length");
        ModelSpecValidator.requireRange("n", request.n(), 1, limits.maxSamples(), "max-samples");
        LoadedModel model = models.load(modelName);
        String prime = known(model.vocabulary(), request.prime(), request.unknownChars(), "prime");
        ModelSpecValidator.requireRange("prime length", prime.codePointCount(0, prime.length()), 0,
                limits.maxScoreLength(), "max-score-length");
        long seed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong(1L << 48);
        return new Job(modelName, model, new SamplingParams(prime, request.length(), request.temperature(),
                request.topK(), request.topP(), seed, request.stop(), request.n(), request.returnLogprobs()));
    }

    /** The text with unknown characters dropped (skip) or a 400 naming them (error). */
    private static String known(CharVocabulary vocabulary, String text, String unknownChars, String field) {
        Set<Integer> unknown = vocabulary.unknownIn(text);
        if (unknown.isEmpty()) {
            return text;
        }
        if ("skip".equals(unknownChars)) {
            return text.codePoints().filter(vocabulary::contains)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        }
        throw ApiException.badRequest(field + " contains characters the model never saw: "
                + CharVocabulary.describeAll(unknown)
                + ". Remove them, send unknownChars: \"skip\", or use a model trained on a corpus that has them.");
    }

    private void acquireSlot() {
        if (!slots.tryAcquire()) {
            throw ApiException.busy("All " + limits.maxConcurrentGenerations() + " generation slots are busy "
                    + "(charrnn.limits.max-concurrent-generations). Retry in a moment.", 1);
        }
    }

    private static GenerateResponse response(Job job, List<Sampler.Sample> samples, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long generated = samples.stream().mapToLong(s -> s.text().codePointCount(0, s.text().length())).sum();
        return new GenerateResponse(job.modelName(), samples.stream()
                .map(s -> new GenerateResponse.Sample(s.text(), s.finishReason(), s.logprobs())).toList(),
                job.params().seed(), seconds * 1000, generated / seconds);
    }
}
