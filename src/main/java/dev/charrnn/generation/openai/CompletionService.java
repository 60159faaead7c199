package dev.charrnn.generation.openai;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Service;
import org.springframework.web.ErrorResponse;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import dev.charrnn.generation.GenerationService;
import dev.charrnn.model.LoadedModel;
import dev.charrnn.model.ModelMetadata;
import dev.charrnn.model.ModelStore;
import dev.charrnn.system.ApiException;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.SseChannel;
import dev.charrnn.system.SseChannels;
import dev.charrnn.text.CharVocabulary;
import jakarta.annotation.PreDestroy;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI-compatible surface over the service's own generation: the same batcher, slots,
 * limits and metrics as /api/models/{name}/generate, with OpenAI's shapes on the wire.
 */
@Service
public class CompletionService {

    private static final Logger log = LoggerFactory.getLogger(CompletionService.class);
    private static final SecureRandom IDS = new SecureRandom();

    private final GenerationService generation;
    private final ModelStore models;
    private final CharRnnProperties.Limits limits;
    private final SseChannels channels;
    private final JsonMapper json;
    /** Drains streamed requests: one thread each while it streams, bounded by the generation slots. */
    private final ExecutorService streams;

    public CompletionService(GenerationService generation, ModelStore models, CharRnnProperties properties,
                             SseChannels channels, JsonMapper json) {
        this.generation = generation;
        this.models = models;
        this.limits = properties.limits();
        this.channels = channels;
        this.json = json;
        CustomizableThreadFactory threads = new CustomizableThreadFactory("openai-stream-");
        threads.setDaemon(true);
        this.streams = Executors.newCachedThreadPool(threads);
    }

    ModelList models() {
        return new ModelList(models.list().stream().map(CompletionService::describe).toList());
    }

    ModelList.Model model(String id) {
        requireModel(id);
        return describe(models.metadata(id));
    }

    /** The completion as one JSON answer, or as Server-Sent Events when the request streams. */
    ResponseEntity<ResponseBodyEmitter> complete(CompletionRequest request) {
        request.validate(limits);
        List<String> prompts = request.prompts();
        requireModel(request.model());
        LoadedModel model = models.load(request.model());
        requireKnownCharacters(model.vocabulary(), prompts);
        CompletionRun run = new CompletionRun(newId(), Instant.now().getEpochSecond(), request.model(), model, request,
                prompts);
        if (request.stream()) {
            return ResponseEntity.ok().body(stream(run, request));
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(once(whole(run, request)));
    }

    @PreDestroy
    void shutdown() {
        streams.shutdownNow();
    }

    private Completion whole(CompletionRun run, CompletionRequest request) {
        Map<Integer, Completion.ChoiceBuilder> choices = new TreeMap<>();
        Consumer<Completion> merge = chunk -> chunk.choices().forEach(piece -> choices
                .computeIfAbsent(piece.index(), Completion.ChoiceBuilder::new).add(piece));
        if (request.maxTokens() == 0) {
            scorePrompts(run, merge);
        } else {
            run.start(generation, () -> false);
            try {
                run.drain(merge);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while generating", e);
            }
        }
        return run.chunk(choices.values().stream().map(Completion.ChoiceBuilder::build).toList(), run.usage());
    }

    /** Streams the chunks; a client that goes away stops the generations at their next character. */
    private ResponseBodyEmitter stream(CompletionRun run, CompletionRequest request) {
        SseChannel channel = channels.open();
        Consumer<Completion> out = chunk -> channel.send(null, data(chunk));
        if (request.maxTokens() == 0) {
            scorePrompts(run, out);
            end(channel, run, request);
            return channel.emitter();
        }
        run.start(generation, () -> !channel.isOpen());
        streams.execute(() -> {
            try {
                run.drain(out);
                end(channel, run, request);
            } catch (InterruptedException e) {
                channel.complete();
            } catch (RuntimeException e) {
                fail(channel, e);
            }
        });
        return channel.emitter();
    }

    /** With max_tokens 0 nothing is generated: echo scores the prompts, under a slot as /score does. */
    private void scorePrompts(CompletionRun run, Consumer<Completion> out) {
        generation.scoring(() -> {
            try {
                run.drain(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // drain waits for no generation here
            }
            return null;
        });
    }

    private void end(SseChannel channel, CompletionRun run, CompletionRequest request) {
        if (request.includeUsage()) {
            channel.send(null, data(run.chunk(List.of(), run.usage())));
        }
        channel.send(null, " [DONE]");
        channel.complete();
    }

    /** A failure after the stream began: an error chunk in the OpenAI envelope, as OpenAI's SDKs expect it. */
    private void fail(SseChannel channel, RuntimeException e) {
        OpenAiError error;
        if (e instanceof ErrorResponse refusal) {
            error = OpenAiError.of(refusal.getStatusCode(), refusal.getBody().getDetail(), null, null);
        } else {
            log.error("streamed completion failed", e);
            error = OpenAiError.of(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error (" + e.getClass().getSimpleName()
                    + "); the server log has the details.", null, null);
        }
        channel.send(null, data(error));
        channel.complete();
    }

    /** One event's data, with the space after "data:" that OpenAI sends and some clients look for. */
    private String data(Object body) {
        return " " + json.writeValueAsString(body);
    }

    private static String newId() {
        byte[] bytes = new byte[12];
        IDS.nextBytes(bytes);
        return "cmpl-" + HexFormat.of().formatHex(bytes);
    }

    private static ResponseBodyEmitter once(Completion completion) {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(0L);
        try {
            emitter.send(completion, MediaType.APPLICATION_JSON); // held until the container takes the emitter
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        emitter.complete();
        return emitter;
    }

    /** 404 in OpenAI's terms for a model that is not stored, or whose name could not be one. */
    private void requireModel(String name) {
        boolean exists;
        try {
            exists = models.exists(name);
        } catch (ApiException invalidName) {
            exists = false;
        }
        if (!exists) {
            throw OpenAiException.unknownModel(name);
        }
    }

    private static void requireKnownCharacters(CharVocabulary vocabulary, List<String> prompts) {
        for (int i = 0; i < prompts.size(); i++) {
            Set<Integer> unknown = vocabulary.unknownIn(prompts.get(i));
            if (!unknown.isEmpty()) {
                throw OpenAiException.invalid("prompt", (prompts.size() > 1 ? "prompt[" + i + "]" : "prompt")
                        + " contains characters the model never saw: " + CharVocabulary.describeAll(unknown)
                        + ". Remove them, or use a model trained on a corpus that has them.");
            }
        }
    }

    private static ModelList.Model describe(ModelMetadata metadata) {
        return new ModelList.Model(metadata.name(), metadata.createdAt() == null ? 0 : metadata.createdAt().getEpochSecond());
    }
}
