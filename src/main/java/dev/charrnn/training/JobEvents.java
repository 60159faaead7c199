package dev.charrnn.training;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.charrnn.system.SseChannel;
import dev.charrnn.system.SseChannels;

/**
 * The Server-Sent Events of one job: {@code progress}, {@code gradients}, {@code flow},
 * {@code alert} and a final {@code done}. Progress is published at most every 250 ms. The job
 * publishes under its lock, so publishing only queues: each subscriber's {@link SseChannel} writes
 * on its own, coalescing progress and dropping statistics for a subscriber that falls behind, and
 * never dropping alerts or the end.
 */
final class JobEvents {

    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    private final SseChannels channels;
    private final List<SseChannel> subscribers = new CopyOnWriteArrayList<>();
    private long lastProgress;

    JobEvents(SseChannels channels) {
        this.channels = channels;
    }

    SseEmitter subscribe(JobView now) {
        SseChannel channel = channels.open();
        channel.send("progress", now); // never coalesced: the view a subscriber starts from
        if (now.state().isActive()) {
            subscribers.add(channel);
            channel.onClose(() -> subscribers.remove(channel));
        } else {
            channel.send("done", now);
            channel.complete();
        }
        return channel.emitter();
    }

    void progress(JobView view, boolean force) {
        long now = System.nanoTime();
        if (force || now - lastProgress >= PROGRESS_INTERVAL_NANOS) {
            lastProgress = now;
            subscribers.forEach(channel -> channel.sendLatest("progress", view));
        }
    }

    /** Statistics a subscriber that is far behind can do without. */
    void statistics(String event, Object data) {
        subscribers.forEach(channel -> channel.sendIfRoom(event, data));
    }

    void alert(Object alert) {
        subscribers.forEach(channel -> channel.send("alert", alert));
    }

    void done(JobView view) {
        for (SseChannel channel : subscribers) {
            channel.send("done", view);
            channel.complete();
        }
        subscribers.clear();
    }
}
