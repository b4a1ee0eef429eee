package io.grokscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.jobs.TestJobs;
import io.grokscope.support.Api;
import io.grokscope.support.HeadlessChromium;
import io.grokscope.support.SecondInstance;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The dashboard against a service that requires API keys for reads and writes: without a key it says one is
 * needed; with the key entered in its header it follows a live run (the event stream read with the key, which
 * EventSource could not send) and cancels a queued one. Runs its own instance (keys on, reads protected).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardWithApiKeysBrowserTest {

    private static final String KEY = "gk-" + UUID.randomUUID();

    HeadlessChromium chromium;
    ChromeDriver browser;
    ConfigurableApplicationContext context;
    Api api;
    int port;

    @BeforeAll
    void start() throws IOException {
        chromium = HeadlessChromium.start(); // first: skips the class where Chromium is absent
        browser = chromium.browser();
        context = SecondInstance.start("grokscope.security.api-keys=" + KEY, "grokscope.security.protect-reads=true");
        port = SecondInstance.port(context);
        api = new Api(port);
    }

    @AfterAll
    void stop() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void withTheKeyEnteredThePageFollowsALiveRunAndCancelsAQueuedOne() {
        open("/");
        chromium.waitUntil(() -> String.valueOf(chromium.text("#view")).contains("needs an API key"));

        WebElement field = browser.findElement(By.id("api-key"));
        field.sendKeys(KEY, Keys.TAB);
        assertThat(chromium.js("return sessionStorage.getItem('grokscope.apiKey')")).isEqualTo(KEY);

        // other tests' queued runs would be claimed first: the pool takes the oldest
        context.getBean(JdbcTemplate.class)
                .update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
        int steps = DashboardBrowserTest.LIVE_STEPS;
        long live = submit(DashboardBrowserTest.tinyRun("keys-live-" + suffix(), 1.0, steps));
        open("/experiments/" + live);
        chromium.waitUntil(() -> "QUEUED".equals(chromium.text(".run-status [data-field='status']")));
        Thread training = new Thread(() -> TestJobs.runNext(context, "keys/0"), "keys-live-run");
        training.start();
        try {
            long first = chromium.waitFor(() -> step() > 0 && step() < steps ? step() : null);
            chromium.waitUntil(() -> step() > first);
            chromium.waitUntil(() -> "SUCCEEDED".equals(chromium.text(".run-status [data-field='status']")));
            assertThat(step()).isEqualTo(steps);
        } finally {
            try {
                training.join(120_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        long queued = submit(DashboardBrowserTest.tinyRun("keys-cancel-" + suffix(), 1.0, 300));
        open("/experiments/" + queued);
        WebElement cancel = chromium.waitFor(() -> browser.findElements(By.xpath("//button[text()='Cancel run']"))
                .stream().findFirst().orElse(null));
        cancel.click();
        browser.switchTo().alert().accept();
        chromium.waitUntil(() -> "CANCELLED".equals(chromium.text(".run-status [data-field='status']")));
    }

    private long submit(String spec) {
        Api.Response response = api.send(HttpRequest.newBuilder(api.uri("/api/v1/experiments"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(spec)));
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }

    private void open(String route) {
        browser.get("about:blank");
        browser.get("http://localhost:" + port + "/#" + route);
    }

    private long step() {
        String text = chromium.text(".run-status [data-field='step']");
        return text == null || text.isBlank() ? -1 : Long.parseLong(text.trim());
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
