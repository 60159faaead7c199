package dev.charrnn;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import dev.charrnn.corpus.CorpusStore;
import dev.charrnn.generation.GenerationService;
import dev.charrnn.generation.openai.CompletionService;
import dev.charrnn.gradients.GradientService;
import dev.charrnn.model.ModelSpecValidator;
import dev.charrnn.model.ModelArchive;
import dev.charrnn.model.ModelStore;
import dev.charrnn.system.CharRnnProperties;
import dev.charrnn.system.Nd4jRuntime;
import dev.charrnn.system.InteractiveRequests;
import dev.charrnn.system.SseChannels;
import dev.charrnn.training.JobStore;
import dev.charrnn.training.TrainingService;
import dev.charrnn.training.spark.SparkTrainer;

/**
 * The MVC slice with the real services behind the controllers (real stores on a temp
 * directory, real DL4J training): no actuator, no server, no mocks.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WebMvcTest
@EnableConfigurationProperties(CharRnnProperties.class)
@Import({CorpusStore.class, ModelStore.class, ModelArchive.class, ModelSpecValidator.class, TrainingService.class, JobStore.class,
        GenerationService.class, CompletionService.class, Nd4jRuntime.class, SparkTrainer.class, SseChannels.class,
        InteractiveRequests.class, GradientService.class})
@TestPropertySource(properties = {
        "charrnn.storage.corpora-dir=${java.io.tmpdir}/charrnn-slice-${random.uuid}/corpora",
        "charrnn.storage.models-dir=${java.io.tmpdir}/charrnn-slice-${random.uuid}/models",
        "charrnn.limits.max-corpus-size=64KB",
        "charrnn.limits.max-generate-length=500",
        "charrnn.limits.max-samples=4"})
public @interface ApiSlice {
}
