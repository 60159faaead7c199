package dev.charrnn.generation.openai;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(name = "OpenAiModelList", description = "The trained models, as OpenAI's GET /v1/models lists them")
public record ModelList(
        @Schema(description = "Always list", example = "list") String object,
        @Schema(description = "Oldest first") List<Model> data) {

    ModelList(List<Model> data) {
        this("list", data);
    }

    @Schema(name = "OpenAiModel", description = "A trained model")
    public record Model(
            @Schema(description = "Its name, to send as model", example = "demo") String id,
            @Schema(description = "Always model", example = "model") String object,
            @Schema(description = "When it was saved, in Unix seconds", example = "1767225600") long created,
            @JsonProperty("owned_by")
            @Schema(description = "Who serves it", example = "char-rnn-service") String ownedBy) {

        static final String OWNER = "char-rnn-service";

        Model(String id, long created) {
            this(id, "model", created, OWNER);
        }
    }
}
