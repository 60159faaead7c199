package dev.charrnn.nn.cpu;


/**
 * The threads that share each step of the recurrent layers (training, evaluation, scoring): one
 * gang for the process, held by one pass at a time; a pass that finds it taken runs on its own
 * thread. On a GPU backend the layers stay on the calling thread (ND4J ties a thread to a device).
 */
public final class StepThreads {

    private static int threads = Runtime.getRuntime().availableProcessors();
    private static Gang gang;

    private StepThreads() {
    }

    /** Sets the thread count (the caller's thread included); takes effect for the passes that start afterwards. */
    public static synchronized void configure(int count) {
        if (gang != null) {
            gang.close();
            gang = null;
        }
        threads = Math.max(1, count);
    }

    /** The gang for one pass, or {@link Gang#CALLER_ONLY}; pair with {@link Gang#release()}. */
    public static synchronized Gang acquire() {
        if (threads == 1 || !"CPU".equals(Nd4jBackend.name())) {
            return Gang.CALLER_ONLY;
        }
        if (gang == null) {
            gang = new Gang(threads, "recurrent-step");
        }
        return gang.acquire();
    }
}
