package dev.charrnn.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.charrnn.TestSupport;

/** Background training gives way to interactive requests between its steps, within a bound. */
class InteractiveRequestsTest {

    private static final long STEP = TimeUnit.MILLISECONDS.toNanos(40);

    @Test
    void withNothingRunningTrainingDoesNotWait() {
        assertThat(interactive(true).giveWay(STEP)).isZero();
    }

    @Test
    void whileARequestRunsTrainingWaitsAtMostThreeStepsThenGoesOn() {
        InteractiveRequests interactive = interactive(true);
        interactive.begin();

        long waited = interactive.giveWay(STEP);

        assertThat(waited).isGreaterThanOrEqualTo(3 * STEP).isLessThan(3 * STEP + TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void trainingResumesAsSoonAsTheLastRequestEnds() {
        InteractiveRequests interactive = interactive(true);
        interactive.begin();
        CompletableFuture.runAsync(interactive::end, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));

        long waited = interactive.giveWay(TimeUnit.SECONDS.toNanos(10));

        assertThat(waited).as("waits for the request, then stops waiting long before the 1 s bound").isPositive()
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(interactive.running()).isZero();
    }

    @Test
    void turnedOffTrainingNeverWaits() {
        InteractiveRequests interactive = interactive(false);
        interactive.begin();

        assertThat(interactive.giveWay(STEP)).isZero();
    }

    private static InteractiveRequests interactive(boolean yield) {
        CharRnnProperties defaults = TestSupport.properties(Path.of("unused"));
        CharRnnProperties.Jobs jobs = new CharRnnProperties.Jobs(1, false, defaults.jobs().shutdownTimeout(), yield);
        return new InteractiveRequests(new CharRnnProperties(defaults.storage(), defaults.limits(), defaults.compute(),
                defaults.generation(), defaults.security(), jobs, defaults.events(), defaults.spark()));
    }
}
