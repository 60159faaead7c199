package dev.charrnn.system;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(description = "How training, validation, scoring and the gradient-flow probe compute (generation always runs on the CPU)")
public record ComputePath(
        @Schema(description = "The layers' path in use: host (Java step math on host memory, the CPU's fast path) or "
                + "ops (ND4J operations only, which a GPU runs)", example = "host") String layerPath,
        @Schema(description = "charrnn.compute.layer-path: auto (host on the CPU backend, ops on any other), host or ops",
                example = "auto") String setting,
        @Schema(description = "GPUs this build of ND4J cannot run, each with what to do instead; empty when there is none")
        List<String> unsupportedGpus) {
}
