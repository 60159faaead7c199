package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's storage on a real, small filesystem (a tmpfs this test mounts, which needs root)
 * that is then filled up: uploads, imports and a training job's checkpoint fail with the path and
 * the operating system's reason, nothing half-written is left or listed, the previous model stays
 * whole and servable, and everything works again once space is freed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class FullDiskOverHttpTest {

    private static Path disk;

    @BeforeAll
    static void mountASmallFilesystem() throws Exception {
        disk = Files.createTempDirectory("charrnn-full-disk");
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString());
        Assumptions.assumeTrue(mounted, "mounting a tmpfs needs root: skipping the real full-disk test");
    }

    @AfterAll
    static void unmount() throws Exception {
        run("umount", "-l", disk.toString());
    }

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, disk);
    }

    private final JsonMapper json = TestSupport.json();
    private final ServiceHttp http;

    FullDiskOverHttpTest(@LocalServerPort int port) {
        http = new ServiceHttp(port);
    }

    @Test
    void aFullDiskFailsWritesCleanlyAndCorruptsNothing() throws Exception {
        String corpus = upload(Fixtures.repeatedSentence(200), 201);
        train("{\"corpusId\":\"" + corpus + "\",\"modelName\":\"before\",\"spec\":" + SPEC + ",\"schedule\":"
                + "{\"maxIterations\":30,\"evalEvery\":30}}", "SUCCEEDED");
        byte[] archive = http.exchange(http.get("/api/models/before/download"), HttpResponse.BodyHandlers.ofByteArray())
                .body();
        String weights = sha256(disk.resolve("models/before/model.zip"));

        Path filler = fillTheDisk();

        JsonNode refused = json.readTree(upload("another text, never stored. ".repeat(500), 507));
        assertThat(refused.get("detail").asString()).contains("No space left on device", disk.resolve("corpora").toString());
        assertThat(http.json(http.get("/api/corpora"), 200).findValuesAsString("id")).containsExactly(corpus);

        JsonNode failed = train("{\"fromModel\":\"before\",\"schedule\":{\"maxIterations\":200,\"evalEvery\":200,"
                + "\"checkpointEvery\":5}}", "FAILED");
        assertThat(failed.get("error").asString()).contains("storage", "No space left on device",
                disk.resolve("models/before").toString());
        assertThat(sha256(disk.resolve("models/before/model.zip"))).as("the previous model is untouched").isEqualTo(weights);
        assertThat(http.json(generate("before"), 200).get("samples").get(0).get("text").asString()).hasSize(20);

        HttpResponse<String> imported = http.exchange(multipart("/api/models/copy/import", archive));
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(507);
        assertThat(http.json(http.get("/api/models"), 200).findValuesAsString("name")).containsExactly("before");

        assertThat(leftovers()).as("no temp or staging files").isEmpty();
        assertThat(http.json(http.get("/actuator/health"), 200).get("status").asString()).isEqualTo("UP");

        Files.delete(filler);
        upload("another text, stored now. ".repeat(500), 201);
        assertThat(http.exchange(multipart("/api/models/copy/import", archive)).statusCode()).isEqualTo(201);
    }

    private static final String SPEC = "{\"cell\":\"LSTM\",\"layers\":1,\"hiddenSize\":32,\"seqLength\":16,"
            + "\"batchSize\":4,\"learningRate\":0.02,\"seed\":1}";

    /** Writes a file until the filesystem refuses another byte. */
    private static Path fillTheDisk() throws IOException {
        Path filler = disk.resolve("filler");
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }
        return filler;
    }

    private static List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.walk(disk)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".tmp") || name.startsWith(".import-") || name.equals("copy");
            }).toList();
        }
    }

    private JsonNode train(String request, String expectedState) throws Exception {
        String id = http.json(http.postJson("/api/training-jobs", request), 202).get("id").asString();
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() ->
                !http.json(http.get("/api/training-jobs/" + id), 200).get("state").asString().matches("QUEUED|RUNNING"));
        JsonNode job = http.json(http.get("/api/training-jobs/" + id), 200);
        assertThat(job.get("state").asString()).as(job.toString()).isEqualTo(expectedState);
        return job;
    }

    private String upload(String text, int expected) throws Exception {
        String body = http.send(http.post("/api/corpora", "text/plain", text), expected);
        return expected == 201 ? json.readTree(body).get("id").asString() : body;
    }

    private HttpRequest generate(String model) {
        return http.postJson("/api/models/" + model + "/generate", "{\"length\":20,\"seed\":1}");
    }

    private HttpRequest multipart(String path, byte[] zip) {
        String boundary = "charrnn" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        return http.request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(head, zip, tail))).build();
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static boolean run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
