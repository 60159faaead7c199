package dev.charrnn.training;

import dev.charrnn.nn.ModelSpec;
import dev.charrnn.train.TrainingSchedule;
import io.swagger.v3.oas.annotations.media.Schema;

/** What a training request gets for every field it leaves out, so a form can show it before it submits. */
@Schema(description = "The spec and schedule a training job gets for every field its request leaves out")
public record TrainingDefaults(ModelSpec spec, TrainingSchedule schedule) {

    static TrainingDefaults current() {
        return new TrainingDefaults(ModelSpec.defaults(), TrainingSchedule.defaults());
    }
}
