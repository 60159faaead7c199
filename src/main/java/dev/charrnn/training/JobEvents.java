package dev.charrnn.training;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The Server-Sent Events of one job: {@code progress}, {@code gradients}, {@code flow},
 * {@code alert} and a final {@code done}. Progress is sent at most every 250 ms; a subscriber that
 * went away is dropped at the next send.
 */
final class JobEvents {

    private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

    private final List<SseEmitter> subscribers = new CopyOnWriteArrayList<>();
    private long lastProgress;

    SseEmitter subscribe(JobView now) {
        SseEmitter emitter = new SseEmitter(0L);
        emitter.onCompletion(() -> subscribers.remove(emitter));
        emitter.onError(e -> subscribers.remove(emitter));
        subscribers.add(emitter);
        send(emitter, "progress", now);
        if (!now.state().isActive()) {
            send(emitter, "done", now);
            emitter.complete();
        }
        return emitter;
    }

    void progress(JobView view, boolean force) {
        long now = System.nanoTime();
        if (force || now - lastProgress >= PROGRESS_INTERVAL_NANOS) {
            lastProgress = now;
            publish("progress", view);
        }
    }

    void publish(String event, Object data) {
        for (SseEmitter emitter : subscribers) {
            send(emitter, event, data);
        }
    }

    void done(JobView view) {
        publish("done", view);
        subscribers.forEach(SseEmitter::complete);
        subscribers.clear();
    }

    private void send(SseEmitter emitter, String event, Object data) {
        try {
            emitter.send(SseEmitter.event().name(event).data(data, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            subscribers.remove(emitter);
        }
    }
}
