package io.grokscope.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium and its driver for browser tests, in a throwaway profile, with the console log kept. A test that
 * needs it is skipped (saying why) where they are not installed.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final ChromeDriver browser;
    private final Path profile;

    private HeadlessChromium(ChromeDriver browser, Path profile) {
        this.browser = browser;
        this.profile = profile;
    }

    /** Starts a browser, or skips the calling test class when Chromium is absent. */
    public static HeadlessChromium start() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "The dashboard's browser tests"
                + " need Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian: apt-get install chromium chromium-driver); skipping them.");
        // The local driver, so that Selenium Manager never looks for (or downloads) one.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        Path profile = Files.createTempDirectory("grokscope-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        return new HeadlessChromium(new ChromeDriver(options), profile);
    }

    public ChromeDriver browser() {
        return browser;
    }

    /** Runs a script in the page and returns its value. */
    public Object js(String script, Object... arguments) {
        return ((JavascriptExecutor) browser).executeScript(script, arguments);
    }

    /** An element's text, read in one script so that a re-render cannot come between finding and reading it. */
    public String text(String css) {
        return (String) js("return document.querySelector(arguments[0])?.textContent ?? null", css);
    }

    /** Waits for a non-null value. Pages re-render what they poll or stream: a found element may be replaced. */
    public <T> T waitFor(Supplier<T> found) {
        return new WebDriverWait(browser, PATIENCE, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class).until(driver -> found.get());
    }

    public void waitUntil(Supplier<Boolean> condition) {
        waitFor(() -> condition.get() ? Boolean.TRUE : null);
    }

    @Override
    public void close() throws IOException {
        browser.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
