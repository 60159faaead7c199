package dev.charrnn.generation.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.swagger.v3.oas.annotations.media.Schema;

/** OpenAI's text_completion: the whole answer, or one chunk of a stream (the same shape, a piece of each choice). */
@Schema(name = "Completion", description = "The choices, as OpenAI's /v1/completions answers them; each chunk of a "
        + "stream has this shape too, with the next piece of a choice")
public record Completion(
        @Schema(description = "Id of this completion, the same on every chunk of a stream", example = "cmpl-5c1e0f9a2b7d")
        String id,
        @Schema(description = "Always text_completion", example = "text_completion")
        String object,
        @Schema(description = "When it was made, in Unix seconds", example = "1767225600")
        long created,
        @Schema(description = "Model that generated it", example = "demo")
        String model,
        @Schema(description = "Choice i*n+j is choice j of prompt i")
        List<Choice> choices,
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Schema(description = "Characters counted as tokens; on a stream, only in the last chunk with "
                + "stream_options.include_usage")
        Usage usage) {

    static final String OBJECT = "text_completion";

    @Schema(name = "CompletionChoice", description = "One continuation of a prompt")
    public record Choice(
            @Schema(description = "The generated characters (after the prompt with echo; a stop string excluded)",
                    example = "sat on the mat.")
            String text,
            @Schema(description = "Place of the choice in choices", example = "0")
            int index,
            @JsonProperty("finish_reason")
            @Schema(description = "stop: a stop string came; length: max_tokens were generated. Null on stream "
                    + "chunks until the choice's last", example = "length", allowableValues = {"stop", "length"})
            String finishReason,
            @Schema(description = "Per character, when the request asked for logprobs; else null")
            Logprobs logprobs) {
    }

    /** A whole choice put together from its pieces, in order. */
    static final class ChoiceBuilder {
        private final int index;
        private final StringBuilder text = new StringBuilder();
        private String finishReason;
        private Logprobs logprobs;

        ChoiceBuilder(int index) {
            this.index = index;
        }

        ChoiceBuilder add(Choice piece) {
            text.append(piece.text());
            finishReason = piece.finishReason() != null ? piece.finishReason() : finishReason;
            if (piece.logprobs() != null) {
                logprobs = logprobs == null ? Logprobs.empty() : logprobs;
                logprobs.addAll(piece.logprobs());
            }
            return this;
        }

        Choice build() {
            return new Choice(text.toString(), index, finishReason, logprobs);
        }
    }

    @Schema(name = "CompletionLogprobs", description = "Natural-log probabilities under the model (before temperature, "
            + "top_k and top_p), one entry per character of the choice's text")
    public record Logprobs(
            @Schema(description = "The characters", example = "[\"s\", \"a\"]")
            List<String> tokens,
            @JsonProperty("token_logprobs")
            @Schema(description = "ln p of each character given all before it; null for the first character of an "
                    + "echoed prompt, which has nothing before it", example = "[-0.02, -0.4]")
            List<Double> tokenLogprobs,
            @JsonProperty("top_logprobs")
            @Schema(description = "The logprobs most likely characters at each place and their ln p, with the "
                    + "character chosen there (so up to logprobs+1); null where token_logprobs is",
                    example = "[{\"s\": -0.02, \"m\": -4.1}, {\"a\": -0.4, \"o\": -1.2}]")
            List<Map<String, Double>> topLogprobs,
            @JsonProperty("text_offset")
            @Schema(description = "Where each character starts in the choice's text, in characters (Unicode code "
                    + "points)", example = "[0, 1]")
            List<Integer> textOffset) {

        static Logprobs empty() {
            return new Logprobs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        /** Appends another piece's entries (to a list of this class's own making). */
        void addAll(Logprobs next) {
            tokens.addAll(next.tokens);
            tokenLogprobs.addAll(next.tokenLogprobs);
            topLogprobs.addAll(next.topLogprobs);
            textOffset.addAll(next.textOffset);
        }
    }

    @Schema(name = "CompletionUsage", description = "Tokens are characters (Unicode code points)")
    public record Usage(
            @JsonProperty("prompt_tokens")
            @Schema(description = "Characters of the prompts, each counted once", example = "8")
            long promptTokens,
            @JsonProperty("completion_tokens")
            @Schema(description = "Characters generated, all choices together", example = "40")
            long completionTokens,
            @JsonProperty("total_tokens")
            @Schema(description = "The two together", example = "48")
            long totalTokens) {

        Usage(long promptTokens, long completionTokens) {
            this(promptTokens, completionTokens, promptTokens + completionTokens);
        }
    }
}
