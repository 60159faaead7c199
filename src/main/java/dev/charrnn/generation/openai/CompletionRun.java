package dev.charrnn.generation.openai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.charrnn.generation.GenerateRequest;
import dev.charrnn.generation.GenerateResponse;
import dev.charrnn.generation.GenerationService;
import dev.charrnn.model.LoadedModel;
import dev.charrnn.sample.Sampler;

/**
 * One /v1/completions request in flight. Each prompt is a generation on the shared batcher; the
 * decoder only queues the text it makes final, and the thread that drains the queue turns it into
 * chunks (scoring it when logprobs were asked), so the decoder never waits for this work.
 */
final class CompletionRun {

    private sealed interface Event permits Text, End {
    }

    private record Text(int choice, String text) implements Event {
    }

    private record End(int prompt, GenerateResponse response, Throwable error) implements Event {
    }

    /** Where one choice stands: its scoring replay (with logprobs) and its length so far. */
    private static final class ChoiceState {
        final Replay replay;
        int offset;

        ChoiceState(Replay replay) {
            this.replay = replay;
        }
    }

    private final String id;
    private final long created;
    private final String modelName;
    private final LoadedModel model;
    private final CompletionRequest request;
    private final List<String> prompts;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private final List<ChoiceState> choices = new ArrayList<>();
    private long generated;

    CompletionRun(String id, long created, String modelName, LoadedModel model, CompletionRequest request,
                  List<String> prompts) {
        this.id = id;
        this.created = created;
        this.modelName = modelName;
        this.model = model;
        this.request = request;
        this.prompts = prompts;
    }

    /**
     * Starts every prompt's generation (each takes a slot: a refusal throws here, and stops the
     * ones already started). {@code gone} tells when nobody waits for the answer any more.
     */
    void start(GenerationService generation, BooleanSupplier gone) {
        for (int p = 0; p < prompts.size() && request.maxTokens() > 0; p++) {
            int prompt = p;
            try {
                generation.submit(modelName, generateRequest(prompts.get(p)), new Sampler.Listener() {
                    @Override
                    public void onText(int sample, String text) {
                        events.add(new Text(prompt * request.n() + sample, text));
                    }

                    @Override
                    public boolean cancelled() {
                        return abandoned.get() || gone.getAsBoolean();
                    }
                }).whenComplete((response, error) -> events.add(new End(prompt, response, error)));
            } catch (RuntimeException e) {
                abandoned.set(true);
                throw e;
            }
        }
    }

    /** As /api/models/{name}/generate takes it, so the same seed gives the same text on both routes. */
    private GenerateRequest generateRequest(String prompt) {
        return new GenerateRequest(prompt, "error", request.maxTokens(), request.temperature(), request.sampledTopK(),
                request.topP(), request.seed(), request.stops(), request.n(), false);
    }

    /**
     * Hands every piece of every choice to {@code out} in order: the echoed prompts, the text as it
     * comes, then each choice's finish reason. Returns when all generations ended.
     */
    void drain(Consumer<Completion> out) throws InterruptedException {
        try {
            for (int p = 0; p < prompts.size(); p++) {
                startChoices(p, out);
            }
            List<Event> arrived = new ArrayList<>();
            for (int ended = request.maxTokens() > 0 ? 0 : prompts.size(); ended < prompts.size(); ) {
                arrived.add(events.take());
                events.drainTo(arrived);
                for (Event event : coalesced(arrived)) {
                    if (event instanceof Text text) {
                        out.accept(piece(text.choice(), text.text(), null));
                    } else if (event instanceof End end) {
                        finish(end, out);
                        ended++;
                    }
                }
                arrived.clear();
            }
        } finally {
            abandoned.set(true); // stops the generations when draining failed or was interrupted
        }
    }

    /**
     * Text that arrived faster than it was drained goes out as one piece per choice, not one per
     * character; a generation's end stays after its text.
     */
    private static List<Event> coalesced(List<Event> arrived) {
        List<Event> merged = new ArrayList<>();
        Map<Integer, StringBuilder> pending = new LinkedHashMap<>();
        for (Event event : arrived) {
            if (event instanceof Text text) {
                pending.computeIfAbsent(text.choice(), choice -> new StringBuilder()).append(text.text());
            } else {
                pending.forEach((choice, text) -> merged.add(new Text(choice, text.toString())));
                pending.clear();
                merged.add(event);
            }
        }
        pending.forEach((choice, text) -> merged.add(new Text(choice, text.toString())));
        return merged;
    }

    Completion.Usage usage() {
        long prompt = prompts.stream().mapToLong(p -> p.codePointCount(0, p.length())).sum();
        return new Completion.Usage(prompt, generated);
    }

    Completion chunk(List<Completion.Choice> pieces, Completion.Usage usage) {
        return new Completion(id, Completion.OBJECT, created, modelName, pieces, usage);
    }

    /** The prompt's choices, each past its prompt; with echo, the prompt is their first piece. */
    private void startChoices(int p, Consumer<Completion> out) {
        String prompt = prompts.get(p);
        Replay replay = request.logprobs() == null ? null : Replay.start(model, request.logprobs());
        Completion.Logprobs echoed = null;
        if (replay != null && request.echo()) {
            echoed = replay.score(prompt, 0);
        } else if (replay != null) {
            replay.feed(prompt);
        }
        if (replay != null) {
            replay.beginCompletion();
        }
        for (int j = 0; j < request.n(); j++) {
            ChoiceState choice = new ChoiceState(replay == null ? null : j == request.n() - 1 ? replay : replay.copy());
            choices.add(choice);
            if (request.echo()) {
                choice.offset = prompt.codePointCount(0, prompt.length());
                out.accept(chunk(List.of(new Completion.Choice(prompt, choices.size() - 1, null, echoed)), null));
            }
        }
        for (int j = 0; j < request.n() && request.maxTokens() == 0; j++) {
            out.accept(piece(p * request.n() + j, "", "length"));
        }
    }

    private Completion piece(int index, String text, String finishReason) {
        ChoiceState choice = choices.get(index);
        Completion.Logprobs logprobs = choice.replay == null ? null : choice.replay.score(text, choice.offset);
        int length = text.codePointCount(0, text.length());
        choice.offset += length;
        generated += length;
        return chunk(List.of(new Completion.Choice(text, index, finishReason, logprobs)), null);
    }

    private void finish(End end, Consumer<Completion> out) {
        if (end.error() != null) {
            Throwable cause = end.error() instanceof CompletionException c && c.getCause() != null ? c.getCause()
                    : end.error();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
        List<GenerateResponse.Sample> samples = end.response().samples();
        for (int j = 0; j < samples.size(); j++) {
            out.accept(piece(end.prompt() * request.n() + j, "", "stop".equals(samples.get(j).finishReason())
                    ? "stop" : "length"));
        }
    }
}
