package dev.charrnn.generation.openai;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.charrnn.system.CharRnnProperties;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * OpenAI's legacy completion request, in characters: one character is one token. The fields a
 * character model cannot honour are accepted only with their neutral values, so a client that
 * relies on them gets a 400 naming the field instead of being silently ignored.
 */
@Schema(name = "CompletionRequest", description = "What to complete, as OpenAI's /v1/completions takes it. One character "
        + "is one token")
public record CompletionRequest(
        @Schema(description = "Name of a trained model (GET /v1/models lists them)", example = "demo",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String model,
        @Schema(description = "Text to continue: a string, or an array of strings that each get n choices. "
                + "Default: empty, which starts from the corpus character frequencies",
                oneOf = {String.class, String[].class}, example = "the cat ")
        Object prompt,
        @JsonProperty("max_tokens")
        @Schema(description = "Most characters to generate per choice. Default 16; 0 only with echo, to score the "
                + "prompt", example = "40")
        Integer maxTokens,
        @Schema(description = "Sampling temperature, 0 (greedy) to 100. Default 1", example = "0.8")
        Double temperature,
        @JsonProperty("top_p")
        @Schema(description = "Nucleus sampling: draw among the most likely characters holding this probability "
                + "mass, 0 < p <= 1. Default 1", example = "1")
        Double topP,
        @JsonProperty("top_k")
        @Schema(description = "Extension, as vLLM has it: draw only among the k most likely characters; -1 or 0 "
                + "means all. Default all", example = "-1")
        Integer topK,
        @Schema(description = "Choices per prompt, generated as one batch. Default 1", example = "1")
        Integer n,
        @Schema(description = "Random seed: the same seed, request and model give the same text, here and through "
                + "/api/models/{name}/generate. Default: a random one", example = "7")
        Long seed,
        @Schema(description = "A string or up to 4 strings; a choice ends when it produces one (not included in "
                + "its text)", oneOf = {String.class, String[].class}, example = "[\".\"]")
        Object stop,
        @Schema(description = "Send the choices as Server-Sent Events chunks of this shape, ending with "
                + "'data: [DONE]'. Default false", example = "false")
        Boolean stream,
        @JsonProperty("stream_options")
        @Schema(description = "Options of a stream")
        StreamOptions streamOptions,
        @Schema(description = "Also return the log-probability of each character and of the most likely "
                + "alternatives at its place, 0 to 5 of them. Default: none", example = "2")
        Integer logprobs,
        @Schema(description = "Return the prompt before each choice's text (with logprobs: scored, the first "
                + "character's logprob null). Default false", example = "false")
        Boolean echo,
        @Schema(description = "Your end user's id; accepted, not used", example = "user-1")
        String user,
        @JsonProperty("best_of")
        @Schema(description = "Only 1: drawing several and returning the best is not done here. Ask for n choices "
                + "and rank them by their logprobs", example = "1")
        Integer bestOf,
        @Schema(description = "Not supported (the model only continues text): absent or empty, so no example")
        String suffix,
        @JsonProperty("logit_bias")
        @Schema(description = "Not supported: absent or empty", example = "{}")
        Map<String, Double> logitBias,
        @JsonProperty("presence_penalty")
        @Schema(description = "Not supported: absent or 0", example = "0")
        Double presencePenalty,
        @JsonProperty("frequency_penalty")
        @Schema(description = "Not supported: absent or 0", example = "0")
        Double frequencyPenalty) {

    /** OpenAI's cap on logprobs. */
    static final int MAX_LOGPROBS = 5;
    /** OpenAI's cap on stop sequences; their length is the /api cap. */
    static final int MAX_STOPS = 4;
    static final int MAX_STOP_LENGTH = 64;

    public CompletionRequest {
        maxTokens = maxTokens != null ? maxTokens : 16;
        temperature = temperature != null ? temperature : 1.0;
        n = n != null ? n : 1;
        stream = stream != null && stream;
        echo = echo != null && echo;
    }

    @Schema(name = "StreamOptions", description = "Options of a stream")
    public record StreamOptions(
            @JsonProperty("include_usage")
            @Schema(description = "Send a last chunk with the usage and no choices before [DONE]. Default false",
                    example = "false")
            Boolean includeUsage) {
    }

    boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }

    /** top_k as the sampler takes it: null for all characters. */
    Integer sampledTopK() {
        return topK == null || topK <= 0 ? null : topK;
    }

    /** The prompts: a string is one, an array of strings several; anything else (token ids) is refused. */
    List<String> prompts() {
        List<String> prompts = prompt == null ? List.of("") : strings(prompt);
        if (prompts == null || prompts.isEmpty()) {
            throw OpenAiException.invalid("prompt", "prompt must be a string or a non-empty array of strings. Token "
                    + "ids are not accepted: one character is one token, so send the text.");
        }
        return prompts;
    }

    /** The stop strings: none, one string or an array of them. */
    List<String> stops() {
        List<String> stops = stop == null ? List.of() : strings(stop);
        if (stops == null || stops.size() > MAX_STOPS
                || stops.stream().anyMatch(s -> s.isEmpty() || s.length() > MAX_STOP_LENGTH)) {
            throw OpenAiException.invalid("stop", "stop must be a string or an array of at most " + MAX_STOPS
                    + " strings, each of 1 to " + MAX_STOP_LENGTH + " characters.");
        }
        return stops;
    }

    /** A JSON string or array of strings as a list; null for anything else. */
    private static List<String> strings(Object value) {
        if (value instanceof String text) {
            return List.of(text);
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        return null;
    }

    /** Refuses what a character model cannot honour and what is outside the service's limits. */
    void validate(CharRnnProperties.Limits limits) {
        refuseUnsupported();
        if (model == null || model.isBlank()) {
            throw OpenAiException.invalid("model", "model is required: the name of a trained model (GET /v1/models "
                    + "lists them).");
        }
        if (maxTokens == 0 && !echo) {
            throw OpenAiException.invalid("max_tokens", "max_tokens 0 returns nothing without echo: send echo: true "
                    + "to score the prompt, or ask for at least 1 character.");
        }
        range("max_tokens", maxTokens, 0, limits.maxGenerateLength(), " (limit charrnn.limits.max-generate-length)");
        range("n", n, 1, limits.maxSamples(), " (limit charrnn.limits.max-samples)");
        range("n", (long) n * prompts().size(), 1, limits.maxSamples(),
                ", counting every prompt's choices (limit charrnn.limits.max-samples)");
        for (String text : prompts()) {
            int length = text.codePointCount(0, text.length());
            if (length > limits.maxScoreLength()) {
                throw OpenAiException.invalid("prompt", "a prompt may have at most " + limits.maxScoreLength()
                        + " characters (limit charrnn.limits.max-score-length); got " + length + ".");
            }
        }
        between("temperature", temperature, 0, 100, true);
        if (topP != null) {
            between("top_p", topP, 0, 1, false);
        }
        if (topK != null) {
            range("top_k", topK, -1, Integer.MAX_VALUE, " (-1 or 0: all characters)");
        }
        if (logprobs != null) {
            range("logprobs", logprobs, 0, MAX_LOGPROBS, "");
        }
        stops();
    }

    private void refuseUnsupported() {
        if (bestOf != null && bestOf != 1) {
            throw OpenAiException.invalid("best_of", "best_of must be 1 (got " + bestOf + "): returning the best of "
                    + "several samples is not implemented. Ask for n choices with logprobs and rank them yourself.");
        }
        if (suffix != null && !suffix.isEmpty()) {
            throw OpenAiException.invalid("suffix", "suffix is not supported: a character RNN only continues text left "
                    + "to right, it cannot fill in before a suffix.");
        }
        if (logitBias != null && !logitBias.isEmpty()) {
            throw OpenAiException.invalid("logit_bias", "logit_bias is not supported. Use stop, top_k or top_p to "
                    + "steer the characters drawn.");
        }
        refusePenalty("presence_penalty", presencePenalty);
        refusePenalty("frequency_penalty", frequencyPenalty);
    }

    private static void refusePenalty(String field, Double value) {
        if (value != null && value != 0) {
            throw OpenAiException.invalid(field, field + " is not supported (got " + value + "): send 0 or leave it "
                    + "out; lower the temperature or use stop to curb repetition.");
        }
    }

    private static void range(String field, long value, long min, long max, String why) {
        if (value < min || value > max) {
            throw OpenAiException.invalid(field, field + " must be between " + min + " and " + max + why + "; got "
                    + value + ".");
        }
    }

    private static void between(String field, double value, double min, double max, boolean minIncluded) {
        if (!(minIncluded ? value >= min : value > min) || !(value <= max)) {
            throw OpenAiException.invalid(field, field + " must be " + (minIncluded ? "from " + min + " to " + max
                    : "above " + min + " and at most " + max) + "; got " + value + ".");
        }
    }
}
