package no.ditiosync.app;

import no.ditiosync.run.SyncRun;
import no.ditiosync.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The operator's page in a real browser: Chromium and chromedriver from the Debian packages
 * ({@code chromium}, {@code chromium-driver}; .ci/run installs them), driven through Selenium
 * WebDriver, after a full and an incremental run against the simulator. Leaves a screenshot in
 * target/operator-page.png.
 */
class OperatorPageBrowserTest {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String SCRIPT = "<script>alert(1)</script>";
    static final LocalDate LAST = LocalDate.now(ZoneId.of("Europe/Oslo")).minusDays(2);
    static final LocalDate START = LAST.minusWeeks(4);

    @Test
    void thePageShowsTheRunsTheHoursAndTheQuarantineAsTheStateDbHasThem(@TempDir Path dir) throws Exception {
        int port = ObserveClient.freePort();
        SimulatorConfig config = SimulatorConfig.defaults().seed(11).workers(15).weeks(4).lastWorkDate(LAST);
        try (SyncHarness h = new SyncHarness(config, dir, START, ObservabilityTest.serverOn(port))) {
            SyncRun[] twoRuns = OperatorPageTest.fullThenIncremental(h, LAST, SCRIPT);
            SyncRun full = twoRuns[0];
            SyncRun incremental = twoRuns[1];

            ChromeDriver browser = chromium();
            try {
                browser.get("http://127.0.0.1:" + port + "/");

                // no dialog opened: the description is text, not a script
                assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
                assertThat(browser.findElements(By.cssSelector("td.description")).stream().map(WebElement::getText))
                        .contains(SCRIPT);
                assertThat(browser.findElements(By.tagName("script"))).isEmpty();

                // the runs table: both runs, newest first, with their outcome and lines per target
                List<WebElement> runs = browser.findElements(By.cssSelector("table.runs tr.run"));
                assertThat(runs).hasSize(2);
                assertThat(runs.get(0).getAttribute("data-run-id")).isEqualTo(incremental.runId());
                assertThat(runs.get(1).getAttribute("data-run-id")).isEqualTo(full.runId());
                assertThat(runs.get(0).findElement(By.cssSelector("td.mode")).getText()).isEqualTo("incremental");
                assertThat(runs.get(1).findElement(By.cssSelector("td.mode")).getText()).isEqualTo("full");
                for (WebElement run : runs) {
                    assertThat(run.findElement(By.cssSelector("td.outcome")).getText()).isEqualTo("succeeded");
                }
                for (String target : List.of("visma", "sap")) {
                    WebElement first = runs.get(1).findElement(By.cssSelector("span[data-target='" + target + "']"));
                    long lines = h.lineCount(SyncHarness.fileOf(full, target));
                    assertThat(first.getText()).isEqualTo(target + " " + lines + " / 0 / 0");
                    WebElement second = runs.get(0).findElement(By.cssSelector("span[data-target='" + target + "']"));
                    assertThat(second.getText()).isEqualTo(target + " 0 / 1 / 0");
                }
                assertThat(runs.get(1).findElement(By.cssSelector("td.records")).getText())
                        .isEqualTo(Long.toString(full.recordsRead()));

                // the chart: one bar per work day and target, with the hours the ledger holds, drawn to scale
                Map<String, Map<LocalDate, BigDecimal>> ledger = OperatorPageTest.ledgerHoursPerDay(h);
                Map<String, Map<LocalDate, BigDecimal>> bars = new TreeMap<>();
                List<WebElement> rects = browser.findElements(By.cssSelector("svg.chart.hours rect.bar"));
                double maxHours = 0;
                double maxHeight = 0;
                for (WebElement bar : rects) {
                    BigDecimal hours = new BigDecimal(bar.getAttribute("data-hours"));
                    bars.computeIfAbsent(bar.getAttribute("data-target"), k -> new TreeMap<>())
                            .put(LocalDate.parse(bar.getAttribute("data-date")), hours.stripTrailingZeros());
                    maxHours = Math.max(maxHours, hours.doubleValue());
                    maxHeight = Math.max(maxHeight, bar.getRect().getHeight());
                }
                assertThat(bars).isEqualTo(ledger);
                assertThat(rects).hasSize(ledger.values().stream().mapToInt(Map::size).sum());
                for (WebElement bar : rects) {
                    double hours = Double.parseDouble(bar.getAttribute("data-hours"));
                    assertThat(bar.getRect().getHeight()).as("the bar of %s", bar.getAttribute("data-date"))
                            .isCloseTo((int) Math.round(hours / maxHours * maxHeight), within(2));
                }

                // the open quarantine: as many as the table holds
                assertThat(browser.findElement(By.cssSelector(".quarantine-count")).getText())
                        .isEqualTo(Integer.toString(h.quarantine().size()));
                assertThat(browser.findElements(By.cssSelector("table.quarantine tbody tr"))).hasSize(h.quarantine().size());

                // nothing the browser complains about (a blocked script or style would be an error here)
                List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
                assertThat(errors).isEmpty();

                screenshot(browser, Path.of("target", "operator-page.png"));
            } finally {
                browser.quit();
            }
        }
    }

    /** Headless Chromium through the Debian chromedriver; its console is read at every level. */
    static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // --no-sandbox: the tests may run as root (CI containers), where Chromium's sandbox cannot start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=en");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().withTimeout(Duration.ofSeconds(60)).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        return driver;
    }

    /** The whole page, not only the window: the window is made as tall as the page first. */
    static void screenshot(ChromeDriver browser, Path file) throws Exception {
        long height = ((Number) ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollHeight")).longValue();
        browser.manage().window().setSize(new Dimension(1280, (int) Math.min(height + 140, 6000)));
        Files.createDirectories(file.getParent());
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
    }
}
