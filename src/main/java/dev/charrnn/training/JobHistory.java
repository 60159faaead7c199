package dev.charrnn.training;

import java.util.List;

import dev.charrnn.train.Contraction;
import dev.charrnn.train.GradientFlowProbe;
import dev.charrnn.train.TrainingMetrics;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * What a job has recorded so far, for a client that joins it late: a page opened mid-run draws
 * its curves from the job's first iteration instead of from the moment it connected.
 */
@Schema(description = "What a job has recorded so far: its evaluations, its training steps and its latest gradient "
        + "flow. Kept in memory while the service runs")
public record JobHistory(
        @Schema(description = "The metrics at every evaluation, oldest first: valBpc is the validation loss measured "
                + "at that iteration (at most 512 points, thinned like steps)")
        List<TrainingMetrics> evaluations,
        @Schema(description = "The metrics after training steps, oldest first (train loss in nats per character, "
                + "speed, gradient norm): every iteration at first, then every 2nd, 4th... as the run grows, so at "
                + "most 512 points always span the whole run")
        List<TrainingMetrics> steps,
        @Schema(description = "The latest gradient flow measured while training; null before the first "
                + "(spec.flowEvery) or when flow is off", nullable = true)
        Flow flow,
        @Schema(description = "Every flow measurement in brief, oldest first (at most 512, thinned evenly): the "
                + "contraction per step of each layer over the run, to compare with lambda1")
        List<FlowPoint> flows) {

    /** One flow measurement without its per-step arrays. */
    @Schema(description = "One gradient-flow measurement in brief")
    public record FlowPoint(
            @Schema(description = "Iteration at which it was measured", example = "200") long iteration,
            @Schema(description = "||dL_T/dx_1|| / ||dL_T/dx_T||", example = "3.9E-7") double firstToLastRatio,
            @Schema(description = "Per recurrent layer, the geometric mean of its per-step contraction (null when "
                    + "unmeasurable)", example = "[0.61, 0.83]") List<Double> contraction) {

        static FlowPoint of(long iteration, GradientFlowProbe.Flow flow) {
            return new FlowPoint(iteration, flow.firstToLastRatio(),
                    flow.contraction().stream().map(Contraction::geometricMean).toList());
        }
    }

    /** The body of the job's 'flow' event too. */
    @Schema(name = "JobFlow", description = "Gradient flow through time measured at one iteration")
    public record Flow(
            @Schema(description = "Iteration at which it was measured", example = "200") long iteration,
            @Schema(description = "||dL_T/dx_t|| for t = 1..T (the last is the last step's own input)",
                    example = "[1.2E-7, 3.4E-5, 0.012, 0.31]")
            List<Double> inputGradientNorms,
            @Schema(description = "||dL_T/dx_1|| / ||dL_T/dx_T||: how much survives T-1 steps back",
                    example = "3.9E-7")
            double firstToLastRatio,
            @Schema(description = "Per recurrent layer: the factor by which the gradient shrinks or grows per step")
            List<Contraction> contraction) {
    }
}
