package dev.charrnn.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** A client that reads slowly or not at all never holds up whoever publishes to it. */
class SseChannelTest {

    private final ExecutorService senders = Executors.newCachedThreadPool();

    @AfterEach
    void stopSenders() {
        senders.shutdownNow();
    }

    @Test
    void publishingNeverWaitsForAStalledClientAndDropsOnlyWhatMayBeDropped() throws Exception {
        StalledEmitter emitter = new StalledEmitter();
        SseChannel channel = new SseChannel(emitter, senders, 8, Duration.ofMinutes(1).toNanos());

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            channel.send("alert", "first alert");
            for (int i = 0; i < 20_000; i++) {
                channel.sendLatest("progress", "progress " + i);
                channel.sendIfRoom("gradients", "stats " + i);
            }
            channel.send("alert", "second alert");
            channel.send("done", "the end");
            channel.complete();
        });
        assertThat(emitter.writing.await(5, TimeUnit.SECONDS)).isTrue();
        emitter.unblock();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> emitter.completed.get());
        List<String> got = emitter.events;
        assertThat(got).contains("alert first alert", "alert second alert").endsWith("done the end");
        assertThat(got.stream().filter(e -> e.startsWith("progress"))).containsExactly("progress progress 19999");
        assertThat(got.stream().filter(e -> e.startsWith("gradients")).count()).isBetween(1L, 8L);
        assertThat(channel.dropped()).isGreaterThan(19_000);
    }

    @Test
    void aWriteBlockedPastTheStallTimeoutClosesTheChannel() throws Exception {
        StalledEmitter emitter = new StalledEmitter();
        SseChannel channel = new SseChannel(emitter, senders, 8, Duration.ofMillis(100).toNanos());
        AtomicBoolean closed = new AtomicBoolean();
        channel.onClose(() -> closed.set(true));

        channel.send("alert", "one");
        assertThat(emitter.writing.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);

        assertThat(channel.send("alert", "two")).isFalse();
        assertThat(channel.isOpen()).isFalse();
        assertThat(closed).isTrue();
        emitter.unblock();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> emitter.completed.get());
        assertThat(emitter.events).containsExactly("alert one");
    }

    @Test
    void textQueuedWhileTheClientIsBehindArrivesMergedAndInOrderPerSample() throws Exception {
        StalledEmitter emitter = new StalledEmitter();
        SseChannel channel = new SseChannel(emitter, senders, 2, Duration.ofMinutes(1).toNanos());

        channel.sendMerged("chunk", "0", "a", (older, newer) -> older + "" + newer);
        assertThat(emitter.writing.await(5, TimeUnit.SECONDS)).isTrue();
        for (String text : List.of("b", "c", "d")) {
            channel.sendMerged("chunk", "0", text, (older, newer) -> older + "" + newer);
            channel.sendMerged("chunk", "1", text.toUpperCase(), (older, newer) -> older + "" + newer);
        }
        channel.complete();
        emitter.unblock();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> emitter.completed.get());
        assertThat(emitter.events).containsExactly("chunk a", "chunk bcd", "chunk BCD");
    }

    @Test
    void aClientThatLeftClosesTheChannelWithoutCompletingItsRequest() throws Exception {
        StalledEmitter emitter = new StalledEmitter();
        emitter.failWrites = true;
        emitter.unblock();
        SseChannel channel = new SseChannel(emitter, senders, 8, Duration.ofMinutes(1).toNanos());

        channel.send("alert", "lost");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !channel.isOpen());

        assertThat(channel.send("alert", "after")).isFalse();
        Thread.sleep(100);
        assertThat(emitter.completed).as("the container ends a failed request itself").isFalse();
    }

    /** An emitter whose writes wait until the test lets them through, as a socket whose peer stopped reading. */
    private static final class StalledEmitter extends SseEmitter {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);
        final AtomicBoolean completed = new AtomicBoolean();
        volatile boolean failWrites;

        void unblock() {
            open.countDown();
        }

        @Override
        public void send(SseEventBuilder builder) throws IOException {
            writing.countDown();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (failWrites) {
                throw new IOException("broken pipe");
            }
            events.add(text(builder));
        }

        @Override
        public void complete() {
            completed.set(true);
        }

        /** "name data" of an event. */
        private static String text(SseEventBuilder builder) {
            String raw = StreamSupport.stream(builder.build().spliterator(), false)
                    .map(item -> String.valueOf(item.getData())).collect(Collectors.joining());
            String name = raw.substring(raw.indexOf("event:") + 6, raw.indexOf('\n'));
            String data = raw.substring(raw.indexOf("data:") + 5).strip();
            return name + " " + data;
        }
    }
}
