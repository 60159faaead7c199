package dev.charrnn.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Debian Chromium driven through chromedriver, for the dashboard's browser tests: it
 * collects the console, so a test can require that no JavaScript error happened, and saves
 * screenshots under target/screenshots for reviewers.
 */
final class Chromium implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** How Chromium reports a response the page expected to fail (a 400 it shows next to a field). */
    private static final Pattern REFUSED = Pattern.compile(".*Failed to load resource: the server responded with a "
            + "status of (\\d{3}).*");

    final ChromeDriver driver;
    private final List<LogEntry> console = new ArrayList<>();

    private Chromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Starts one, or skips the test where Debian's chromium and chromium-driver are not installed. */
    static Chromium start() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver; .ci/run does)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1500,1100");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new Chromium(new ChromeDriver(service, options));
    }

    void open(int port, String path) {
        driver.get("http://localhost:" + port + path);
    }

    WebElement element(String id) {
        return driver.findElement(By.id(id));
    }

    String text(String id) {
        return element(id).getText();
    }

    /** The value of a form's input, by its name. */
    String value(String form, String name) {
        return (String) js("return document.getElementById(arguments[0]).elements[arguments[1]].value", form, name);
    }

    /** Types into a form's input as a person would, replacing what it held. */
    void type(String form, String name, String value) {
        WebElement input = driver.findElement(By.cssSelector("#" + form + " [name=" + name + "]"));
        input.clear();
        input.sendKeys(value);
    }

    /** Types into several inputs of a form: name, value, name, value... */
    void typeAll(String form, String... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            type(form, namesAndValues[i], namesAndValues[i + 1]);
        }
    }

    /** Picks an option of a form's select, with the change event a person's pick fires. */
    void choose(String form, String name, String value) {
        js("const select = document.getElementById(arguments[0]).elements[arguments[1]]; select.value = arguments[2];"
                + "select.dispatchEvent(new Event('change', {bubbles: true}));", form, name, value);
    }

    void submit(String form) {
        driver.findElement(By.cssSelector("#" + form + " button[type=submit]")).click();
    }

    String view() {
        return (String) js("return document.body.dataset.view");
    }

    /** Runs a script in the page and answers its value. */
    Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    long number(String expression) {
        Object value = js("return " + expression);
        return value == null ? -1 : ((Number) value).longValue();
    }

    /** Waits, polling the page, until the condition holds. */
    void await(Duration atMost, Callable<Boolean> condition) {
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(condition);
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Requires a clean console so far: no JavaScript error, and no failed
     * request but refusals with one of the statuses the test provoked on purpose.
     */
    void assertNoConsoleErrors(int... provokedStatuses) {
        console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
        List<String> errors = console.stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !provoked(message, provokedStatuses))
                .toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    private static boolean provoked(String message, int... statuses) {
        var matcher = REFUSED.matcher(message);
        if (!matcher.matches()) {
            return false;
        }
        int status = Integer.parseInt(matcher.group(1));
        for (int provoked : statuses) {
            if (status == provoked) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
