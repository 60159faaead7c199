package dev.charrnn.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import dev.charrnn.train.TrainingMetrics;

class MetricsSeriesTest {

    @Test
    void keepsEveryPointUntilFullThenTheFirstAndAnEvenlyThinnedRest() {
        MetricsSeries series = new MetricsSeries(8);
        LongStream.rangeClosed(1, 8).forEach(i -> series.add(TrainingMetrics.start(i)));
        assertThat(iterations(series)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);

        LongStream.rangeClosed(9, 40).forEach(i -> series.add(TrainingMetrics.start(i)));
        assertThat(iterations(series)).as("at most 8, spanning the run from its start").hasSizeLessThanOrEqualTo(8)
                .containsExactly(1L, 8L, 16L, 24L, 32L, 40L);
    }

    @Test
    void aReplayedIterationReplacesTheTailFromThere() {
        MetricsSeries series = new MetricsSeries(100);
        LongStream.rangeClosed(1, 10).forEach(i -> series.add(TrainingMetrics.start(i)));
        series.add(TrainingMetrics.start(6)); // resumed from a checkpoint at iteration 5
        assertThat(iterations(series)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        series.dropFrom(4);
        assertThat(iterations(series)).containsExactly(1L, 2L, 3L);
    }

    private static List<Long> iterations(MetricsSeries series) {
        return series.points().stream().map(TrainingMetrics::iteration).toList();
    }
}
