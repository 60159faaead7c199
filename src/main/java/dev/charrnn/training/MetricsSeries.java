package dev.charrnn.training;

import java.util.ArrayList;
import java.util.List;

import dev.charrnn.train.TrainingMetrics;

/**
 * A bounded series of a job's metrics by iteration. It keeps every point offered until it is
 * full; then, besides its first point, it keeps only iterations that are multiples of a stride,
 * which doubles each time it fills again. A long run stays covered from its first point to its
 * newest at an even, coarser spacing. A point at or before the last one (a job resumed from an earlier checkpoint replays
 * those iterations) replaces the tail it overlaps. Guarded by its job's lock.
 */
final class MetricsSeries {

    private final int capacity;
    private final List<TrainingMetrics> points = new ArrayList<>();
    private long stride = 1;

    MetricsSeries(int capacity) {
        this.capacity = Math.max(2, capacity);
    }

    void add(TrainingMetrics metrics) {
        dropFrom(metrics.iteration());
        if (!points.isEmpty() && metrics.iteration() % stride != 0) {
            return;
        }
        points.add(metrics);
        while (points.size() > capacity) {
            stride *= 2;
            TrainingMetrics first = points.get(0);
            points.removeIf(point -> point != first && point.iteration() % stride != 0);
        }
    }

    /** Forgets the points at {@code iteration} and after: they are being run again. */
    void dropFrom(long iteration) {
        while (!points.isEmpty() && points.get(points.size() - 1).iteration() >= iteration) {
            points.remove(points.size() - 1);
        }
    }

    List<TrainingMetrics> points() {
        return List.copyOf(points);
    }
}
