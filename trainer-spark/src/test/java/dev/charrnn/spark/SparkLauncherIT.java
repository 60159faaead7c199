package dev.charrnn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.charrnn.train.spark.SparkRunFiles;

/**
 * The whole path on a real Spark engine: the service jar as its own JVM submits trainer-spark's job
 * jar through SparkLauncher to spark-submit of a minimal SPARK_HOME (built by spark-test-home),
 * master local[2]. One service sees its run folders; the other is told the cluster reads them at a
 * URI that does not exist, as a misconfigured shared storage would.
 */
@Tag("spark")
class SparkLauncherIT {

    @TempDir
    static Path work;

    private static ServiceProcess service;
    private static ServiceProcess blind;

    @BeforeAll
    static void startServices() throws Exception {
        Files.createDirectories(work.resolve("ok"));
        Files.createDirectories(work.resolve("blind"));
        service = ServiceProcess.start(work.resolve("ok"), sparkSettings());
        List<String> blindSettings = new java.util.ArrayList<>(sparkSettings());
        blindSettings.add("charrnn.spark.runs-uri=file:///nonexistent-shared-storage/runs");
        blind = ServiceProcess.start(work.resolve("blind"), blindSettings);
        service.awaitHealthy();
        blind.awaitHealthy();
    }

    private static List<String> sparkSettings() {
        return List.of("charrnn.spark.corpus-roots=" + work.resolve("shared").toUri(),
                "charrnn.spark.home=" + Path.of(System.getProperty("charrnn.sparkHome")).toAbsolutePath(),
                "charrnn.spark.job-jar=" + Path.of(System.getProperty("charrnn.jobJar")).toAbsolutePath(),
                "charrnn.spark.master=local[2]",
                "charrnn.spark.driver-memory=1g",
                "charrnn.spark.conf[spark.ui.enabled]=false");
    }

    @AfterAll
    static void stopServices() {
        if (service != null) {
            service.close();
        }
        if (blind != null) {
            blind.close();
        }
    }

    @Test
    void trainsOnSparkReportsEachEpochAndServesTheModel() throws Exception {
        String job = submit(service, "spark-lstm", 2);

        List<ServiceProcess.Event> events = service.events(job);

        List<JsonNode> epochs = events.stream().filter(e -> e.name().equals("progress"))
                .map(ServiceProcess.Event::data).filter(d -> d.get("valBpc").isNumber()).toList();
        System.out.println("Spark job over HTTP, validation bits/char per epoch: "
                + epochs.stream().map(d -> d.get("epoch").asLong() + ": " + d.get("valBpc").asDouble()).toList());
        assertEquals(List.of(1L, 2L), epochs.stream().map(d -> d.get("epoch").asLong()).distinct().toList(),
                "one progress event per epoch, while it ran");
        assertTrue(epochs.stream().allMatch(d -> d.get("state").asText().equals("RUNNING")));
        JsonNode done = events.get(events.size() - 1).data();
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
        assertEquals(2, done.get("epoch").asLong());

        JsonNode model = service.send("GET", "/api/models/spark-lstm", null, null, 200);
        assertEquals(2, model.get("history").size());
        assertTrue(model.get("vocabulary").size() > 20);
        JsonNode generated = service.send("POST", "/api/models/spark-lstm/generate", "application/json",
                "{\"prime\":\"The \",\"length\":80,\"seed\":5}", 200);
        String text = generated.get("samples").get(0).get("text").asText();
        assertEquals(80, text.codePointCount(0, text.length()), text);
        JsonNode score = service.send("POST", "/api/models/spark-lstm/score", "application/json",
                "{\"text\":\"The cat sat on a mat.\\n\"}", 200);
        assertTrue(score.toString().contains("bitsPerChar"), score.toString());
    }

    /** A corpus the service never holds: a folder on storage the cluster reads, named by URI. */
    @Test
    void trainsFromACorpusOnSharedStorage() throws Exception {
        Path books = Files.createDirectories(work.resolve("shared").resolve("books"));
        Files.writeString(books.resolve("a.txt"), SparkJobFixtures.corpus(9_000, 8).replace("sang", "sang ♪"));
        Files.writeString(books.resolve("b.txt"), SparkJobFixtures.corpus(7_000, 9));
        String job = service.send("POST", "/api/training-jobs", "application/json",
                trainingJson("from-storage", 1, "\"corpusUri\":\"" + books.toUri() + "\""), 202).get("id").asText();

        List<ServiceProcess.Event> events = service.events(job);

        JsonNode done = events.get(events.size() - 1).data();
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
        JsonNode model = service.send("GET", "/api/models/from-storage", null, null, 200);
        assertTrue(model.get("vocabulary").toString().contains(String.valueOf("♪".codePointAt(0))), model.toString());
        JsonNode generated = service.send("POST", "/api/models/from-storage/generate", "application/json",
                "{\"prime\":\"The \",\"length\":40,\"seed\":5}", 200);
        assertEquals(40, generated.get("samples").get(0).get("text").asText().codePointCount(0,
                generated.get("samples").get(0).get("text").asText().length()));
    }

    @Test
    void aCorpusUriThatDoesNotExistEndsFailedWithThatReason() throws Exception {
        String missing = work.resolve("shared").toUri().toString().replaceAll("/+$", "") + "/no-such-books/";
        String job = service.send("POST", "/api/training-jobs", "application/json",
                trainingJson("missing-books", 1, "\"corpusUri\":\"" + missing + "\""), 202).get("id").asText();

        List<ServiceProcess.Event> events = service.events(job);

        JsonNode done = events.get(events.size() - 1).data();
        assertEquals("FAILED", done.get("state").asText(), done.toString());
        assertTrue(done.get("error").asText().contains("the corpus " + missing + " does not exist"), done.toString());
        service.send("GET", "/api/models/missing-books", null, null, 404);
    }

    @Test
    void aCorpusUriOutsideTheCorpusRootsIsRefused() throws Exception {
        String root = work.resolve("shared").toUri().toString().replaceAll("/+$", "");
        for (String uri : List.of("file:///etc/passwd", root + "/../ok/corpora/x.txt", root + "-elsewhere/x.txt")) {
            JsonNode refused = service.send("POST", "/api/training-jobs", "application/json",
                    trainingJson("escape", 1, "\"corpusUri\":\"" + uri + "\""), 400);
            assertTrue(refused.toString().contains("not under a corpus root"), refused.toString());
        }
    }

    @Test
    void aRunTheClusterCannotReadEndsFailedWithTheReason() throws Exception {
        String job = submit(blind, "unreachable", 1);

        List<ServiceProcess.Event> events = blind.events(job);

        JsonNode done = events.get(events.size() - 1).data();
        assertEquals("FAILED", done.get("state").asText(), done.toString());
        String error = done.get("error").asText();
        assertTrue(error.contains("cannot read the spec") && error.contains("nonexistent-shared-storage"), error);
        blind.send("GET", "/api/models/unreachable", null, null, 404);
        try (Stream<Path> runs = Files.list(blind.work.resolve("spark-runs"))) {
            Path run = runs.findFirst().orElseThrow();
            assertFalse(Files.exists(run.resolve(SparkRunFiles.SUCCESS)));
            assertTrue(Files.size(run.resolve(SparkRunFiles.DRIVER_LOG)) > 0, "the driver's output is kept");
        }
    }

    @Test
    void cancelKillsTheSparkApplication() throws Exception {
        String job = submit(service, "spark-cancelled", 500);
        JsonNode running;
        do {
            Thread.sleep(200);
            running = service.send("GET", "/api/training-jobs/" + job, null, null, 200);
        } while (running.get("epoch").asLong() < 1 && running.get("state").asText().equals("RUNNING"));
        assertEquals("RUNNING", running.get("state").asText(), running.toString());
        assertTrue(driverRunning(job), "the Spark driver runs while the job does");

        service.send("POST", "/api/training-jobs/" + job + "/cancel", null, null, 200);

        List<ServiceProcess.Event> events = service.events(job);
        assertEquals("CANCELLED", events.get(events.size() - 1).data().get("state").asText());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (driverRunning(job) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertFalse(driverRunning(job), "cancel killed the Spark driver");
        service.send("GET", "/api/models/spark-cancelled", null, null, 404);
    }

    /** The driver JVM spark-submit started: its command line names the job's run folder. */
    private static boolean driverRunning(String job) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                .map(line -> line.contains("SparkSubmit") && line.contains("/spark-runs/" + job + "-")).orElse(false));
    }

    private static String submit(ServiceProcess target, String model, int epochs) throws Exception {
        String corpus = SparkJobFixtures.corpus(16_000, 3);
        String corpusId = target.corpusId(corpus);
        return target.send("POST", "/api/training-jobs", "application/json", "{\"corpusId\":\"" + corpusId + "\","
                + trainingJson(model, epochs, "").substring(1), 202).get("id").asText();
    }

    /** A small LSTM on Spark; {@code sparkExtra} adds fields to schedule.spark. */
    private static String trainingJson(String model, int epochs, String sparkExtra) {
        return "{\"modelName\":\"" + model + "\",\"spec\":{\"cell\":\"LSTM\",\"layers\":1,\"hiddenSize\":32,"
                + "\"seqLength\":25,\"batchSize\":8,\"learningRate\":0.01,\"seed\":3},\"schedule\":{\"engine\":\"spark\","
                + "\"epochs\":" + epochs + ",\"spark\":{\"trainingMaster\":\"parameter-averaging\",\"averagingFrequency\":3"
                + (sparkExtra.isEmpty() ? "" : "," + sparkExtra) + "}}}";
    }
}
