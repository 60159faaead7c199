package dev.charrnn.train;

import java.util.ArrayList;
import java.util.List;

/**
 * A bounded time series: when full, every other point of the older half is dropped, so old
 * history thins out while the newest points are always kept.
 */
public final class GradientHistory {

    private final int capacity;
    private final List<GradientStats> points = new ArrayList<>();

    public GradientHistory(int capacity) {
        this.capacity = Math.max(4, capacity);
    }

    public synchronized void add(GradientStats stats) {
        if (points.size() >= capacity) {
            int half = points.size() / 2;
            List<GradientStats> thinned = new ArrayList<>();
            for (int i = 0; i < half; i += 2) {
                thinned.add(points.get(i));
            }
            thinned.addAll(points.subList(half, points.size()));
            points.clear();
            points.addAll(thinned);
        }
        points.add(stats);
    }

    public synchronized List<GradientStats> points() {
        return List.copyOf(points);
    }

    public synchronized void addAll(List<GradientStats> earlier) {
        earlier.forEach(this::add);
    }
}
