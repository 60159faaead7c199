package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

import dev.charrnn.TestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The service under test over real HTTP: requests on its base URI, and sends that check the status. */
final class ServiceHttp {

    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = TestSupport.json();

    /** The service listening on localhost at port (a test's {@code @LocalServerPort}, or a started jar's). */
    ServiceHttp(int port) {
        this.base = "http://localhost:" + port;
    }

    /** path on the service; an absolute URI (a Location header) is taken as it is. */
    URI uri(String path) {
        return URI.create(path.startsWith("http") ? path : base + path);
    }

    /** A builder on path, for the requests that add a header, a timeout or an unusual method. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path));
    }

    /** A plain GET. */
    HttpRequest get(String path) {
        return request(path).build();
    }

    /** A POST of a JSON body, as the API's clients send one. */
    HttpRequest postJson(String path, String body) {
        return post(path, "application/json", body);
    }

    /** A POST of body with that Content-Type, such as a text/plain corpus upload. */
    HttpRequest post(String path, String contentType, String body) {
        return request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A DELETE. */
    HttpRequest delete(String path) {
        return request(path).DELETE().build();
    }

    /** The body; fails, showing the request and the body, unless the status is one expected (any 2xx if none is). */
    String send(HttpRequest request, int... expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> response = exchange(request);
        String what = request.method() + " " + request.uri() + " -> " + response.statusCode() + " " + response.body();
        if (expectedStatus.length == 0) {
            assertThat(response.statusCode()).as(what).isBetween(200, 299);
        } else {
            assertThat(response.statusCode()).as(what).isIn(Arrays.stream(expectedStatus).boxed().toArray());
        }
        return response.body();
    }

    /** {@link #send} read as JSON, for the many checks that look at a field or two. */
    JsonNode json(HttpRequest request, int... expectedStatus) throws IOException, InterruptedException {
        return json.readTree(send(request, expectedStatus));
    }

    /** The whole response, unchecked, for tests that assert on the status or the headers themselves. */
    HttpResponse<String> exchange(HttpRequest request) throws IOException, InterruptedException {
        return exchange(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The response with the body as handler reads it: a stream of lines or bytes, read while it comes. */
    <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return http.send(request, handler);
    }
}
