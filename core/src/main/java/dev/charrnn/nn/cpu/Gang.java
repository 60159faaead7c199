package dev.charrnn.nn.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Threads that run the parts of one step together. {@link #run} offers the parts to the workers
 * and takes them itself too, so a worker that is slow to wake (a busy machine, say) costs nothing:
 * the caller then simply does its part. A part of a 256-unit layer takes microseconds, less than
 * waking a parked thread, so idle workers spin a little before they park.
 *
 * <p>One caller at a time: a caller that cannot {@link #acquire} it steps on its own thread.
 */
public final class Gang implements AutoCloseable {

    /** How long an idle worker spins before parking: longer than the gap between two steps. */
    private static final long SPIN_NANOS = 50_000;

    /** No worker threads: every part runs on the caller. Stateless, so shared. */
    public static final Gang CALLER_ONLY = new Gang(1, "caller-only");

    /** One call of {@link #run}: parts are claimed by whoever comes first. */
    private static final class Round {
        final IntConsumer task;
        final int parts;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        volatile Throwable failure;

        Round(IntConsumer task, int parts) {
            this.task = task;
            this.parts = parts;
        }

        void work() {
            for (int part = next.getAndIncrement(); part < parts; part = next.getAndIncrement()) {
                try {
                    task.accept(part);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    finished.incrementAndGet();
                }
            }
        }
    }

    private final Worker[] workers;
    private final ReentrantLock owner = new ReentrantLock();
    private volatile Round round;
    private volatile boolean closed;

    /** A gang of {@code threads} including the caller; 1 means no worker threads. */
    public Gang(int threads, String name) {
        workers = new Worker[Math.max(0, threads - 1)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            workers[i].thread = new Thread(workers[i], name + "-" + (i + 1));
            workers[i].thread.setDaemon(true);
            workers[i].thread.start();
        }
    }

    /** Threads that can share a step, the caller included. */
    public int size() {
        return workers.length + 1;
    }

    /** This gang if no other caller holds it, else {@link #CALLER_ONLY}; pair with {@link #release()}. */
    public Gang acquire() {
        return workers.length > 0 && owner.tryLock() ? this : CALLER_ONLY;
    }

    /** Lets another caller have the gang (nothing to do for one this thread does not hold). */
    public void release() {
        if (owner.isHeldByCurrentThread()) {
            owner.unlock();
        }
    }

    /** Runs {@code task} for parts 0..size-1 and returns when all are done; rethrows a part's failure. */
    public void run(IntConsumer task) {
        run(size(), task);
    }

    /**
     * Runs {@code task} for parts 0..parts-1, each taken by whichever thread is free first, and
     * returns when all are done; rethrows a part's failure. More parts than threads balance the
     * load when a thread loses its core for a while (to the JIT's compiler threads, say).
     */
    public void run(int parts, IntConsumer task) {
        Round current = new Round(task, parts);
        if (workers.length > 0) {
            round = current;
            for (Worker worker : workers) {
                worker.wake();
            }
        }
        current.work();
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (current.finished.get() < current.parts) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a long part: let whatever else wants this core have it
            }
        }
        if (current.failure != null) {
            throw current.failure instanceof RuntimeException e ? e : new IllegalStateException(current.failure);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
    }

    private final class Worker implements Runnable {
        private Thread thread;
        private volatile boolean parked;
        private Round seen;

        /** The parked flag and {@link #round} form a Dekker handshake: no wake-up is lost. */
        void wake() {
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            while (!closed) {
                Round current = awaitRound();
                if (current != null) {
                    seen = current;
                    current.work();
                }
            }
        }

        private Round awaitRound() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Round current;
            while ((current = round) == seen) {
                if (closed) {
                    return null;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (round == seen && !closed) {
                    LockSupport.park(this);
                }
                parked = false;
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
            return current;
        }
    }
}
