package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.TestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API document that users generate clients from: the committed copy in
 * src/test/resources/openapi, which redocly lints, stays equal to the live /v3/api-docs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GeneratedClientOverHttpTest {

    /** Set to true to rewrite the committed document from the live one. */
    static final String REFRESH = "charrnn.openapi.refresh";

    @TempDir
    static Path storage;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
    }

    @LocalServerPort
    int port;

    private final JsonMapper json = TestSupport.json();

    @Test
    void theCommittedDocumentIsTheLiveOne() throws Exception {
        Path committed = committedDocument();
        JsonNode live = json.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(baseUri() + "/v3/api-docs")).build(), HttpResponse.BodyHandlers.ofString()).body());
        if (Boolean.getBoolean(REFRESH)) {
            Files.writeString(committed, json.writerWithDefaultPrettyPrinter().writeValueAsString(live) + "\n");
        }
        List<String> differences = new ArrayList<>();
        differences("", json.readTree(Files.readString(committed)), live, differences);
        assertThat(differences).as("%s differs from the live /v3/api-docs (the generated client is built from it). "
                + "If the change is meant, refresh it with ./mvnw -B -pl service test "
                + "-Dtest='%s#theCommittedDocumentIsTheLiveOne' -D%s=true, then review and commit the file "
                + "(and adapt the tour below if the client changed).", committed, getClass().getSimpleName(), REFRESH)
                .isEmpty();
    }

    /** The document in the source tree (surefire runs in service/; an IDE may run in the repository root). */
    private static Path committedDocument() {
        Path relative = Path.of("src/test/resources/openapi/char-rnn.json");
        return Stream.of(Path.of("..").resolve(relative), relative).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + relative + " under " + Path.of("").toAbsolutePath()));
    }

    /** JSON pointers where the two documents differ (object members in any order), the first 20. */
    private static void differences(String pointer, JsonNode committed, JsonNode live, List<String> out) {
        if (out.size() >= 20 || committed.equals(live)) {
            return;
        }
        if (committed.isObject() && live.isObject()) {
            Set<String> names = new TreeSet<>(committed.propertyNames());
            names.addAll(live.propertyNames());
            for (String name : names) {
                JsonNode a = committed.get(name);
                JsonNode b = live.get(name);
                String at = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
                if (a == null || b == null) {
                    out.add(at + (a == null ? " only in the live document" : " only in the committed one"));
                } else {
                    differences(at, a, b, out);
                }
            }
            return;
        }
        out.add(pointer + ": committed " + abbreviate(committed) + ", live " + abbreviate(live));
    }

    private static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }

    private String baseUri() {
        return "http://localhost:" + port;
    }
}
