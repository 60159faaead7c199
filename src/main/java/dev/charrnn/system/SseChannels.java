package dev.charrnn.system;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import jakarta.annotation.PreDestroy;

/**
 * Opens {@link SseChannel}s and owns their sender threads. A sender exists only while its channel
 * has something to write, so an idle subscriber holds no thread, and a stalled one holds one until
 * the container's write timeout ends its blocked write.
 */
@Component
public class SseChannels implements AutoCloseable {

    private final CharRnnProperties.Events settings;
    private final ExecutorService senders;

    public SseChannels(CharRnnProperties properties) {
        this.settings = properties.events();
        AtomicInteger count = new AtomicInteger();
        this.senders = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "sse-sender-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A channel over a new emitter that never times out on its own. */
    public SseChannel open() {
        return new SseChannel(new SseEmitter(0L), senders, settings.subscriberBuffer(),
                settings.stallTimeout().toNanos());
    }

    @PreDestroy
    @Override
    public void close() {
        senders.shutdownNow();
    }
}
