package dev.charrnn.system;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BinaryOperator;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One Server-Sent Events client behind a bounded queue. Producers (a training worker, a generation
 * decoder) only enqueue and never wait; a sender thread writes the queue to the socket. A client
 * that reads slowly or not at all therefore costs its producer nothing:
 * <ul>
 *   <li>droppable events are dropped once {@code capacity} events wait;</li>
 *   <li>coalesced events replace or merge into their queued, unsent predecessor with the same key;</li>
 *   <li>a write that stays blocked past {@code stallTimeout} closes the channel.</li>
 * </ul>
 * Every emitter call happens on the sender: {@link SseEmitter} holds one lock around writes and
 * completion, so completing it from a producer would wait for a blocked write.
 */
public final class SseChannel {

    private static final Object DROPPED = new Object();

    private final SseEmitter emitter;
    private final Executor sender;
    private final int capacity;
    private final long stallTimeoutNanos;
    private final Deque<Event> queue = new ArrayDeque<>();
    private final Map<String, Event> unsentByKey = new HashMap<>();
    private final List<Runnable> closeListeners = new ArrayList<>();
    private boolean draining;
    /** The request is over for the container (the client left, a write failed, or we completed it). */
    private boolean clientGone;
    private boolean completing;
    private Throwable failure;
    private boolean closed;
    private long dropped;
    private volatile long writeStartedNanos;

    private static final class Event {
        final String name;
        final String key;
        Object data;

        Event(String name, String key, Object data) {
            this.name = name;
            this.key = key;
            this.data = data;
        }
    }

    SseChannel(SseEmitter emitter, Executor sender, int capacity, long stallTimeoutNanos) {
        this.emitter = emitter;
        this.sender = sender;
        this.capacity = capacity;
        this.stallTimeoutNanos = stallTimeoutNanos;
        emitter.onCompletion(this::clientLeft);
        emitter.onError(error -> clientLeft());
        emitter.onTimeout(this::clientLeft);
    }

    /** The emitter a controller returns. */
    public SseEmitter emitter() {
        return emitter;
    }

    /** Queues an event the client must get (an alert, the end of a job, generated text); a null name sends none. */
    public boolean send(String name, Object data) {
        return enqueue(name, null, data, null, false);
    }

    /** Queues an event that is dropped when the client is {@code capacity} events behind. */
    public boolean sendIfRoom(String name, Object data) {
        return enqueue(name, null, data, null, true);
    }

    /** Queues an event that replaces the queued, unsent one of the same name: the client gets the latest. */
    public boolean sendLatest(String name, Object data) {
        return enqueue(name, name, data, (older, newer) -> newer, false);
    }

    /** Queues an event that {@code merge} folds into the queued, unsent event with the same key. */
    public boolean sendMerged(String name, String key, Object data, BinaryOperator<Object> merge) {
        return enqueue(name, key, data, merge, false);
    }

    /** Completes the stream once everything queued is written. */
    public void complete() {
        synchronized (this) {
            if (closed || completing) {
                return;
            }
            completing = true;
        }
        drainSoon();
    }

    /** Completes the stream with an error once everything queued is written. */
    public void completeWithError(Throwable error) {
        synchronized (this) {
            if (closed || completing) {
                return;
            }
            failure = error;
        }
        complete();
    }

    /** Runs when the channel closes: the client left, a write failed or stalled, or it completed. */
    public void onClose(Runnable listener) {
        boolean now;
        synchronized (this) {
            now = closed;
            if (!now) {
                closeListeners.add(listener);
            }
        }
        if (now) {
            listener.run();
        }
    }

    public synchronized boolean isOpen() {
        return !closed;
    }

    /** Droppable events this client did not get because it was behind. */
    public synchronized long dropped() {
        return dropped;
    }

    private boolean enqueue(String name, String key, Object data, BinaryOperator<Object> merge, boolean droppable) {
        if (stalled()) {
            closed(); // the blocked sender completes the emitter if its write ever returns
            return false;
        }
        synchronized (this) {
            if (closed || completing) {
                return false;
            }
            Event unsent = key == null ? null : unsentByKey.get(key);
            if (unsent != null) {
                unsent.data = merge.apply(unsent.data, data);
                return true;
            }
            if (droppable && queue.size() >= capacity) {
                dropped++;
                return true;
            }
            Event event = new Event(name, key, data);
            queue.add(event);
            if (key != null) {
                unsentByKey.put(key, event);
            }
        }
        drainSoon();
        return true;
    }

    private boolean stalled() {
        long started = writeStartedNanos;
        return started != 0 && System.nanoTime() - started > stallTimeoutNanos;
    }

    private void drainSoon() {
        synchronized (this) {
            if (draining || closed) {
                return;
            }
            draining = true;
        }
        try {
            sender.execute(this::drain);
        } catch (RejectedExecutionException e) { // shutting down
            closed();
        }
    }

    /** Writes the queue on the sender thread; the one drain that sees the end completes the emitter. */
    private void drain() {
        while (true) {
            Event event;
            synchronized (this) {
                event = closed ? null : queue.poll();
                if (event == null && !closed && !completing) {
                    draining = false;
                    return;
                }
                if (event != null && event.key != null) {
                    unsentByKey.remove(event.key);
                }
            }
            if (event == null) {
                completeEmitter();
                return;
            }
            if (!write(event)) {
                return; // the container reports the failed write itself: the emitter must not be completed
            }
        }
    }

    private boolean write(Event event) {
        writeStartedNanos = System.nanoTime();
        try {
            SseEmitter.SseEventBuilder builder = SseEmitter.event();
            if (event.name != null) { // unnamed events carry no "event:" line (the OpenAI stream format)
                builder.name(event.name);
            }
            emitter.send(builder.data(event.data, MediaType.APPLICATION_JSON));
            return true;
        } catch (IOException | IllegalStateException e) {
            synchronized (this) {
                clientGone = true;
            }
            closed();
            return false;
        } finally {
            writeStartedNanos = 0;
        }
    }

    /** Ends a stream this side ended (completed, or closed as stalled); a client that left needs nothing. */
    private void completeEmitter() {
        synchronized (this) {
            if (clientGone) {
                return;
            }
            clientGone = true;
        }
        try {
            Throwable error;
            synchronized (this) {
                error = failure;
            }
            if (error == null) {
                emitter.complete();
            } else {
                emitter.completeWithError(error);
            }
        } catch (RuntimeException e) {
            // the container ended the request meanwhile
        } finally {
            closed();
        }
    }

    private void clientLeft() {
        synchronized (this) {
            clientGone = true;
        }
        closed();
    }

    private void closed() {
        List<Runnable> listeners;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            dropped += queue.size();
            queue.clear();
            unsentByKey.clear();
            listeners = List.copyOf(closeListeners);
            closeListeners.clear();
        }
        listeners.forEach(Runnable::run);
    }
}
