package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.charrnn.Fixtures;
import dev.charrnn.TestSupport;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard as a workbench, in a real headless Chromium (Debian's chromium + chromedriver,
 * which .ci/run installs): upload, train from the form, follow and watch jobs, compare the cells,
 * generate, score and download; every test ends with a clean browser console and leaves a
 * screenshot of its view under target/screenshots.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DashboardBrowserTest {

    @TempDir
    static Path storage;

    @TempDir
    Path files;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        TestSupport.storage(registry, storage);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> jobsToCancel = new ArrayList<>();
    private Chromium browser;

    @AfterEach
    void close() throws Exception {
        for (String job : jobsToCancel) {
            send("POST", "/api/training-jobs/" + job + "/cancel", null); // the worker is shared: free it
        }
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void uploadTrainWatchAndSampleWithTheBrowserAlone() throws Exception {
        browser = Chromium.start();
        browser.open(port, "/");
        browser.await(Duration.ofSeconds(20), () -> "train".equals(browser.view())
                && !browser.text("backend").endsWith("…"));
        assertThat(browser.text("backend")).as("which backend computes").startsWith("CPU backend");

        Path broken = files.resolve("latin1.txt");
        Files.write(broken, new byte[] {'c', 'a', 'f', (byte) 0xE9, '!'});
        browser.element("corpus-file").sendKeys(broken.toString());
        browser.await(Duration.ofSeconds(10), () -> browser.text("upload-status").contains("not valid UTF-8"));
        assertThat(browser.text("upload-status")).contains("byte offset 3");

        browser.js("const files = new DataTransfer();"
                + "files.items.add(new File(['dropped text\\nsecond line\\n'], 'dropped.txt', {type: 'text/plain'}));"
                + "document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: files, bubbles: true}));");
        browser.await(Duration.ofSeconds(10), () -> "dropped.txt".equals(browser.text("corpus-name")));
        assertThat(browser.text("corpus-preview")).isEqualTo("dropped text\nsecond line");
        assertThat(browser.text("corpus-vocab")).isEqualTo("14 distinct characters");

        Path corpus = files.resolve("sentences.txt");
        Files.writeString(corpus, "the first line of the corpus\n" + Fixtures.repeatedSentence(150));
        browser.element("corpus-file").sendKeys(corpus.toString());
        browser.await(Duration.ofSeconds(10), () -> "sentences.txt".equals(browser.text("corpus-name")));
        assertThat(browser.text("corpus-chars")).isEqualTo(String.format(Locale.US, "%,d", 29 + 150 * Fixtures.SENTENCE.length()));
        assertThat(browser.text("corpus-vocab")).isEqualTo("18 distinct characters");
        assertThat(browser.text("corpus-preview")).startsWith("the first line of the corpus\nthe cat sat");
        assertThat(browser.js("return document.querySelector('#train-form [name=corpusId]').value"))
                .isEqualTo(browser.text("corpus-id"));
        assertThat(browser.value("train-form", "hiddenSize")).as("the service's default").isEqualTo("128");
        assertThat(browser.value("train-form", "clipThreshold")).isEqualTo("5");

        browser.choose("train-form", "cell", "GRU");
        browser.typeAll("train-form", "modelName", "form-made", "layers", "1", "hiddenSize", "24", "seqLength", "24",
                "batchSize", "8", "learningRate", "0.01");
        browser.choose("train-form", "budget", "duration");
        browser.type("train-form", "maxDuration", "4");
        browser.type("train-form", "evalEvery", "25");
        browser.screenshot("train");
        browser.submit("train-form");

        browser.await(Duration.ofSeconds(10), () -> browser.driver.findElements(
                By.cssSelector("#jobs li.job[data-state=RUNNING]")).size() == 1);
        String job = (String) browser.js("return document.querySelector('#jobs li.job').dataset.job");
        jobsToCancel.add(job);
        JsonNode sent = json("GET", "/api/training-jobs/" + job);
        assertThat(sent.get("modelName").asString()).isEqualTo("form-made");
        assertThat(sent.get("spec").get("cell").asString()).isEqualTo("GRU");
        assertThat(sent.get("spec").get("hiddenSize").asInt()).isEqualTo(24);
        assertThat(sent.get("spec").get("learningRate").asDouble()).isEqualTo(0.01);
        assertThat(sent.get("schedule").get("maxDuration").asString()).isEqualTo("PT4S");
        assertThat(sent.get("schedule").get("maxIterations").isNull()).as("the budget is the duration alone").isTrue();
        assertThat(browser.view()).isEqualTo("watch");
        assertThat(browser.js("return window.dashboard.state().id")).isEqualTo(job);

        // progress: seen in the list part way, then SUCCEEDED at 100%
        browser.await(Duration.ofSeconds(10), () -> {
            double progress = Double.parseDouble(jobData(job, "progress"));
            return progress > 0.1 && progress < 0.9;
        });
        browser.await(Duration.ofSeconds(30), () -> "SUCCEEDED".equals(jobData(job, "state")));
        assertThat(jobData(job, "progress")).isEqualTo("1");
        browser.await(Duration.ofSeconds(10), () -> "SUCCEEDED".equals(
                browser.js("return document.getElementById('watch-head').dataset.state")));
        assertThat(browser.number("window.dashboard.charts.loss.data[0][0]")).as("from the first iteration").isEqualTo(1);
        assertThat(browser.number("window.dashboard.charts.loss.data[0][window.dashboard.charts.loss.data[2]"
                + ".findIndex(v => v != null)]")).as("the first evaluation").isEqualTo(25);
        assertThat(browser.number("window.dashboard.charts.loss.data[2].filter(v => v != null).length"))
                .as("validation points").isGreaterThanOrEqualTo(2);
        assertBestBesideTheLatest(json("GET", "/api/training-jobs/" + job), browser.text("watch-status"));
        browser.screenshot("watch-finished");
        assertCellCharts(job);

        browser.driver.findElement(By.xpath("//div[@id='watch-actions']/button[text()='Use this model']")).click();
        browser.await(Duration.ofSeconds(10), () -> "use".equals(browser.view())
                && "form-made".equals(browser.js("return document.getElementById('models').value")));
        assertThat(browser.element("download").getAttribute("href")).endsWith("/api/models/form-made/download");
        JsonNode model = json("GET", "/api/models/form-made");
        long kept = model.get("metrics").get("iteration").asLong();
        long trained = model.get("history").get(model.get("history").size() - 1).get("iteration").asLong();
        browser.await(Duration.ofSeconds(10), () -> !browser.text("model-info").isEmpty());
        assertThat(browser.text("model-info")).as("what was trained and which weights were kept").contains(kept < trained
                ? "trained " + trained + " iterations, the weights of iteration " + kept : "trained " + kept + " iterations");
        assertThat(browser.driver.executeAsyncScript("const done = arguments[0]; fetch(document.getElementById("
                + "'download').href).then(r => done(r.status + ' ' + r.headers.get('Content-Type')))"))
                .isEqualTo("200 application/zip");

        browser.typeAll("generate-form", "prime", "the cat ", "length", "4000", "seed", "7");
        browser.submit("generate-form");
        browser.await(Duration.ofSeconds(30), () -> "done".equals(browser.element("generated").getAttribute("data-state")));
        String generated = (String) browser.js("return document.getElementById('generated').textContent");
        assertThat(generated).startsWith("the cat ");
        assertThat(generated.codePointCount(0, generated.length())).isEqualTo(8 + 4000);
        assertThat(Integer.parseInt(browser.element("generated").getAttribute("data-chunks")))
                .as("the text came in pieces as it was generated").isGreaterThan(1);
        assertThat(browser.text("generate-stats")).contains("seed 7");

        browser.driver.findElement(By.cssSelector("#score-form textarea")).sendKeys("the mat sat on the cat.");
        browser.submit("score-form");
        browser.await(Duration.ofSeconds(10), () -> browser.driver.findElements(By.cssSelector("#scored span[data-bits]"))
                .size() == 22);
        assertThat(browser.js("return document.querySelector('#scored .context').textContent")).isEqualTo("t");
        assertThat(browser.js("return [...document.querySelectorAll('#scored span[data-bits]')].map(s => s.textContent)"
                + ".join('')")).isEqualTo("he mat sat on the cat.");
        assertThat(browser.js("return new Set([...document.querySelectorAll('#scored span[data-bits]')]"
                + ".map(s => s.style.backgroundColor)).size")).as("coloured by surprisal").isNotEqualTo(1L);
        assertThat(browser.js("const spans = [...document.querySelectorAll('#scored span[data-bits]')];"
                + "return spans.reduce((a, b) => (+b.dataset.bits > +a.dataset.bits ? b : a)).textContent"))
                .as("the hardest character: one of the two swapped").isIn("m", "c");
        assertThat(browser.text("score-stats")).contains("22 characters scored");
        browser.screenshot("use-model");
        assertUnitView("form-made", "the cat sat on the mat.");
        browser.assertNoConsoleErrors(400);
    }

    @Test
    void aPageOpenedMidRunSelectsTheRunningJobAndDrawsItFromItsFirstEvaluation() throws Exception {
        String corpus = uploadCorpus();
        String job = json("POST", "/api/training-jobs", "{\"corpusId\":\"" + corpus + "\",\"modelName\":\"watched\","
                + "\"spec\":{\"cell\":\"LSTM\",\"layers\":2,\"hiddenSize\":16,\"seqLength\":24,\"batchSize\":8,"
                + "\"statsEvery\":5,\"flowEvery\":20},\"schedule\":{\"maxIterations\":100000,\"evalEvery\":20}}")
                .get("id").asString();
        jobsToCancel.add(job);
        browser = Chromium.start();
        browser.await(Duration.ofSeconds(60), () -> json("GET", "/api/training-jobs/" + job).get("iteration").asLong() > 200);

        browser.open(port, "/");
        browser.await(Duration.ofSeconds(20), () -> job.equals(browser.js("return window.dashboard.state().id"))
                && browser.number("window.dashboard.charts.loss.data[0].length") > 200);
        assertThat(browser.view()).isEqualTo("watch");
        assertThat(browser.js("return document.querySelector('#jobs li.selected').dataset.job")).isEqualTo(job);
        assertThat(browser.number("window.dashboard.charts.loss.data[0][0]")).as("the first iteration").isEqualTo(1);
        assertThat(browser.number("window.dashboard.charts.loss.data[0][window.dashboard.charts.loss.data[2]"
                + ".findIndex(v => v != null)]")).as("the job's first evaluation").isEqualTo(20);
        assertThat(browser.number("window.dashboard.charts.norms.data[0][0]")).as("the first gradient statistics")
                .isEqualTo(5);
        assertThat(browser.js("return window.dashboard.charts.norms.series.slice(1).map(s => s.label)"))
                .isEqualTo(List.of("global", "layer 0", "layer 1", "output"));
        assertThat(browser.number("window.dashboard.charts.flow.data[0].length")).as("the latest flow").isEqualTo(24);

        long seen = browser.number("window.dashboard.charts.loss.data[0].at(-1)");
        browser.await(Duration.ofSeconds(20), () -> browser.number("window.dashboard.charts.loss.data[0].at(-1)") > seen + 40);
        assertThat(browser.js("const it = window.dashboard.charts.loss.data[0]; "
                + "return it.every((v, i) => i === 0 || v > it[i - 1])")).as("one point per iteration, in order")
                .isEqualTo(true);
        browser.screenshot("watch-live");

        // the page's own buttons: cancel, then resume from the checkpoint, then cancel again
        clickAction(job, "Cancel");
        browser.await(Duration.ofSeconds(20), () -> "CANCELLED".equals(json("GET", "/api/training-jobs/" + job)
                .get("state").asString()));
        browser.await(Duration.ofSeconds(10), () -> "CANCELLED".equals(jobData(job, "state")));
        clickAction(job, "Resume");
        browser.await(Duration.ofSeconds(20), () -> "RUNNING".equals(json("GET", "/api/training-jobs/" + job)
                .get("state").asString()));
        browser.await(Duration.ofSeconds(10), () -> "RUNNING".equals(jobData(job, "state")));
        clickAction(job, "Cancel");
        browser.await(Duration.ofSeconds(20), () -> "CANCELLED".equals(json("GET", "/api/training-jobs/" + job)
                .get("state").asString()));
        jobsToCancel.remove(job);
        browser.assertNoConsoleErrors();
    }

    @Test
    void aCellComparisonOverlaysTheThreeCellsOnTheLossAndFlowCharts() throws Exception {
        String corpus = uploadCorpus();
        browser = Chromium.start();
        browser.open(port, "/#compare");
        browser.await(Duration.ofSeconds(20), () -> browser.driver.findElements(
                By.cssSelector("#compare-form [name=corpusId] option[value='" + corpus + "']")).size() == 1);
        browser.choose("compare-form", "corpusId", corpus);
        browser.typeAll("compare-form", "namePrefix", "side", "hiddenSize", "16", "seqLength", "16",
                "batchSize", "4", "maxIterations", "60", "evalEvery", "20", "flowEvery", "20");
        browser.submit("compare-form");

        browser.await(Duration.ofSeconds(120), () -> browser.driver.findElements(
                By.cssSelector("#compare-runs tr[data-state=SUCCEEDED]")).size() == 3);
        browser.await(Duration.ofSeconds(10), () -> browser.number(
                "window.dashboard.charts['cmp-loss'].data[3].filter(v => v != null).length") == 3);
        assertThat(browser.js("return window.dashboard.charts['cmp-loss'].series.slice(1).map(s => s.label)"))
                .isEqualTo(List.of("RNN", "LSTM", "GRU"));
        assertThat(browser.js("return window.dashboard.charts['cmp-flow'].series.slice(1).map(s => s.label)"))
                .isEqualTo(List.of("RNN", "LSTM", "GRU"));
        assertThat(browser.js("return window.dashboard.charts['cmp-loss'].data[0]")).as("evaluations")
                .isEqualTo(List.of(20L, 40L, 60L));
        for (int series = 1; series <= 3; series++) {
            assertThat(browser.number("window.dashboard.charts['cmp-loss'].data[" + series + "].filter(v => v > 0).length"))
                    .as("validation bpc of run %d", series).isEqualTo(3);
            assertThat(browser.number("window.dashboard.charts['cmp-flow'].data[" + series + "].filter(v => v > 0).length"))
                    .as("gradient flow of run %d by steps back", series).isEqualTo(16);
        }
        assertThat(browser.number("window.dashboard.charts['cmp-flow'].data[0].at(-1)")).as("steps back").isEqualTo(15);
        assertThat(browser.text("compare-meaning")).contains("vanilla RNN").contains("LSTM and GRU");
        String reading = browser.text("compare-reading");
        assertThat(reading).as("this run in words").contains("15 steps back");
        for (String cell : List.of("RNN", "LSTM", "GRU")) {
            String kept = browser.driver.findElement(By.cssSelector("#compare-runs tr[data-cell=" + cell + "] td:nth-child(5)"))
                    .getText();
            assertThat(reading).as("the table's figure for %s", cell).contains(cell + " " + kept);
        }
        browser.screenshot("compare");
        browser.assertNoConsoleErrors();
    }

    @Test
    void aBadFormValueShowsTheServicesDetailNextToItsFieldAndCreatesNothing() throws Exception {
        uploadCorpus();
        browser = Chromium.start();
        browser.open(port, "/#train");
        browser.await(Duration.ofSeconds(20), () -> "128".equals(browser.value("train-form", "hiddenSize")));
        browser.typeAll("train-form", "modelName", "never-made", "seqLength", "16", "batchSize", "4");

        browser.type("train-form", "hiddenSize", "0");
        browser.submit("train-form");
        String expected = json("POST", "/api/training-jobs", "{\"corpusId\":\"x\",\"spec\":{\"hiddenSize\":0}}")
                .get("detail").asString();
        assertThat(expected).as("the service's own words").contains("spec.hiddenSize");
        browser.await(Duration.ofSeconds(10), () -> expected.equals(fieldError("hiddenSize")));
        browser.screenshot("train-invalid");

        browser.type("train-form", "hiddenSize", "16");
        browser.type("train-form", "layers", "9");
        browser.submit("train-form");
        browser.await(Duration.ofSeconds(10), () -> fieldError("layers").startsWith("spec.layers must be between 1 and 4"));
        assertThat(browser.driver.findElements(By.cssSelector("#train-form .field-error"))).as("only the field at fault")
                .hasSize(1);

        browser.type("train-form", "layers", "1");
        browser.type("train-form", "modelName", "../escape");
        browser.submit("train-form");
        browser.await(Duration.ofSeconds(10), () -> fieldError("modelName").startsWith("Invalid model name '../escape'"));

        assertThat(json("GET", "/api/training-jobs", null).findValuesAsString("modelName"))
                .doesNotContain("never-made", "../escape");
        assertThat(send("GET", "/api/models/never-made", null).statusCode()).isEqualTo(404);
        assertThat(browser.view()).as("still on the form").isEqualTo("train");
        browser.assertNoConsoleErrors(400);
    }

    // ---- inside the cells (cells.js) ----

    /** lambda1 per recurrent gate block with the 1/gamma lines, and gate saturation, from the job's gradient statistics. */
    @SuppressWarnings("unchecked")
    private void assertCellCharts(String job) throws Exception {
        Set<String> blocks = new LinkedHashSet<>();
        Set<Double> bounds = new TreeSet<>();
        Set<String> gates = new LinkedHashSet<>();
        for (JsonNode stats : json("GET", "/api/training-jobs/" + job + "/gradients")) {
            for (JsonNode block : stats.get("spectrum")) {
                blocks.add("L" + block.get("layer").asInt() + " " + block.get("param").asString());
                bounds.add(1 / block.get("gamma").asDouble());
            }
            for (JsonNode gate : stats.get("saturation")) {
                gates.add("L" + gate.get("layer").asInt() + " " + gate.get("gate").asString()
                        + " (" + gate.get("activation").asString() + ")");
            }
        }
        assertThat(blocks).as("the GRU's recurrent gate blocks").hasSizeGreaterThan(1);
        assertThat(bounds).as("tanh's 1/gamma = 1 is among the lines").contains(1.0);
        browser.js("document.getElementById('lambda1').scrollIntoView()");
        List<String> lambda1 = (List<String>) browser.js("return window.dashboard.charts.lambda1.series.slice(1).map(s => s.label)");
        JsonNode flows = json("GET", "/api/training-jobs/" + job + "/history").get("flows");
        assertThat(flows).as("the job's flow measurements in brief").isNotEmpty();
        int layers = flows.get(0).get("contraction").size();
        assertThat(lambda1).as("one series per gate block, the contraction per layer, then the 1/gamma lines")
                .hasSize(blocks.size() + layers + bounds.size());
        assertThat(lambda1.subList(0, blocks.size())).containsExactlyInAnyOrderElementsOf(blocks);
        assertThat(lambda1.subList(blocks.size(), blocks.size() + layers)).containsExactly("L0 contraction per step");
        double contraction = flows.get(flows.size() - 1).get("contraction").get(0).asDouble();
        assertThat(browser.js("const d = window.dashboard.charts.lambda1.data; return d[" + (blocks.size() + 1)
                + "].filter(v => v != null)")).as("the contraction drawn, one point per flow measurement")
                .asList().hasSize(flows.size()).last().isEqualTo(contraction);
        assertThat(lambda1.subList(blocks.size() + layers, lambda1.size())).allMatch(label -> label.startsWith("1/gamma = "))
                .contains("1/gamma = 1");
        long iterations = browser.number("window.dashboard.charts.lambda1.data[0].length");
        assertThat(iterations).as("gradient statistics drawn").isGreaterThanOrEqualTo(2);
        for (int series = 1; series <= blocks.size(); series++) {
            assertThat(browser.number("window.dashboard.charts.lambda1.data[" + series + "].filter(v => v > 0).length"))
                    .as("lambda1 of %s", lambda1.get(series - 1)).isPositive();
        }
        assertThat(browser.js("return window.dashboard.charts.lambda1.data.at(-1).every(v => v === window.dashboard"
                + ".charts.lambda1.data.at(-1)[0])")).as("a 1/gamma line is level").isEqualTo(true);
        assertThat((List<String>) browser.js("return window.dashboard.charts.saturation.series.slice(1).map(s => s.label)"))
                .as("one series per gate of each layer").isNotEmpty().containsExactlyInAnyOrderElementsOf(gates);
        assertThat(browser.number("window.dashboard.charts.saturation.data[1].filter(v => v >= 0 && v <= 1).length"))
                .as("saturated fractions").isPositive();
        browser.screenshot("cells-lambda1");
    }

    /** The quote-cell view of a model: every character coloured by a unit, and the top units of every feature. */
    @SuppressWarnings("unchecked")
    private void assertUnitView(String model, String text) throws Exception {
        JsonNode expected = json("POST", "/api/models/" + model + "/activations", "{\"text\": \"" + text + "\"}");
        WebElement units = browser.element("units");
        browser.js("arguments[0].scrollIntoView()", browser.element("units-card"));
        units.findElement(By.tagName("textarea")).sendKeys(text);
        units.findElement(By.xpath(".//button[text()='Read']")).click();
        browser.await(Duration.ofSeconds(20), () -> browser.number(
                "document.querySelectorAll('#units .unit-text span').length") == text.length());
        assertThat(browser.js("return [...document.querySelectorAll('#units .unit-text span')].map(s => s.textContent)"
                + ".join('')")).isEqualTo(text);
        assertThat(browser.js("return [...document.querySelectorAll('#units .unit-text span')]"
                + ".every(s => s.style.backgroundColor !== '' && /^h = -?\\d/.test(s.title))"))
                .as("every character coloured by the unit's h").isEqualTo(true);
        assertThat(browser.number("new Set([...document.querySelectorAll('#units .unit-text span')]"
                + ".map(s => s.style.backgroundColor)).size")).as("the unit's value changes along the text").isGreaterThan(1);
        assertThat(browser.js("return document.querySelector('#units .unit-text').dataset.unit"))
                .as("the first unit the service named").isEqualTo(expected.get("units").get(0).asString());
        List<String> features = new ArrayList<>();
        List<String> ranked = new ArrayList<>();
        for (JsonNode feature : expected.get("features")) {
            features.add(feature.get("feature").asString());
            List<String> top = new ArrayList<>();
            feature.get("hidden").forEach(u -> top.add(u.get("unit").asString()));
            ranked.add(top.isEmpty() ? "does not vary over this text" : String.join(",", top));
        }
        assertThat(ranked).as("some features vary over the text").anyMatch(r -> !r.startsWith("does not"));
        assertThat((List<String>) browser.js("return [...document.querySelectorAll('#units .unit-ranking [data-feature]')]"
                + ".map(r => r.dataset.feature)")).as("a row per feature").containsExactlyElementsOf(features);
        assertThat((List<String>) browser.js("return [...document.querySelectorAll('#units .unit-ranking [data-feature]')]"
                + ".map(r => r.querySelector('button[data-unit]') ? [...r.querySelectorAll('button[data-unit]')]"
                + ".map(b => b.dataset.unit).join(',') : r.querySelector('.quiet').textContent)"))
                .as("the top units of every feature, strongest first").containsExactlyElementsOf(ranked);
        String other = (String) browser.js("const shown = document.querySelector('#units .unit-text').dataset.unit;"
                + "const pick = [...document.querySelectorAll('#units .unit-ranking button[data-unit]')]"
                + ".find(b => b.dataset.unit !== shown); pick.click(); return pick.dataset.unit");
        browser.await(Duration.ofSeconds(20), () -> other.equals(
                browser.js("return document.querySelector('#units .unit-text').dataset.unit")));
        assertThat(browser.number("document.querySelectorAll('#units .unit-text span').length")).isEqualTo(text.length());
        browser.js("arguments[0].scrollIntoView({block: 'end'})", browser.element("units-card"));
        browser.screenshot("cells-units");
    }

    // ---- the page ----

    private String fieldError(String name) {
        List<WebElement> errors = browser.driver.findElements(By.xpath(
                "//form[@id='train-form']//label[.//*[@name='" + name + "']]/span[@class='field-error']"));
        return errors.isEmpty() ? "" : errors.get(0).getText();
    }

    /** A data attribute of the job's entry in the list (read in one go: the list redraws as jobs change). */
    private String jobData(String job, String name) {
        return (String) browser.js("const li = document.querySelector(`#jobs li[data-job='${arguments[0]}']`);"
                + "return li && li.dataset[arguments[1]];", job, name);
    }

    private void clickAction(String job, String label) {
        browser.await(Duration.ofSeconds(10), () -> {
            browser.driver.findElement(By.xpath("//ul[@id='jobs']/li[@data-job='" + job + "']//button[text()='" + label
                    + "']")).click();
            return true;
        });
    }

    // ---- the API, to set up and to check what the page did ----

    private String uploadCorpus() throws Exception {
        return json("POST", "/api/corpora", Fixtures.repeatedSentence(200)).get("id").asString();
    }

    /** The best validation figure and its iteration beside the latest, unless the latest is the best. */
    private static void assertBestBesideTheLatest(JsonNode finished, String status) {
        double latest = finished.get("valBpc").asDouble();
        double best = finished.get("bestValBpc").asDouble();
        assertThat(best).isLessThanOrEqualTo(latest);
        assertThat(status).contains(String.format(Locale.ROOT, "val %.3f bpc", latest));
        if (best < latest) {
            assertThat(status).contains(String.format(Locale.ROOT, "best %.3f at %d", best,
                    finished.get("bestIteration").asLong()));
        } else {
            assertThat(status).doesNotContain("best");
        }
    }

    private JsonNode json(String method, String path) throws Exception {
        return json(method, path, null);
    }

    private JsonNode json(String method, String path, String body) throws Exception {
        return TestSupport.json().readTree(send(method, path, body).body());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", body.startsWith("{") ? "application/json" : "text/plain")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
