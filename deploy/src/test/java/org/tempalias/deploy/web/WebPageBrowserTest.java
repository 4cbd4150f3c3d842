package org.tempalias.deploy.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.tempalias.deploy.Service;
import org.tempalias.deploy.Settings;
import org.tempalias.testsupport.OptionalTool;
import org.tempalias.testsupport.ScriptedSmarthost;

/**
 * Issue 6 end to end: the web page served by the whole service (every role, embedded Redis),
 * driven in Debian's headless Chromium through /usr/bin/chromedriver. Nothing is downloaded: the
 * driver and the browser binary are given explicitly, so Selenium Manager never runs.
 *
 * <p>The methods run in order and share one browser and one service: an error for a bad target,
 * creating an alias (by keyboard), the list with its live status, the screenshots, then deleting
 * it through the confirmation dialog. Without Chromium and chromedriver the class is skipped with
 * one line saying what to install, except under CI (see {@link OptionalTool}), where it fails.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WebPageBrowserTest {
  private static final Path CHROMEDRIVER = OptionalTool.CHROMEDRIVER.path();
  private static final Path CHROMIUM = OptionalTool.CHROMIUM.path();
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String STORAGE_KEY = "tempalias.aliases.v1";
  private static final Duration WAIT = Duration.ofSeconds(15);
  /**
   * Selenium looks for a DevTools binding matching the browser on every start and warns when the
   * Debian Chromium is newer than the bindings it ships; the test only needs chromedriver's own
   * CDP passthrough, so that warning is noise. Held in a field: JUL keeps loggers weakly.
   */
  private static final Logger SELENIUM_DEVTOOLS = Logger.getLogger("org.openqa.selenium.devtools");

  private static Path dataDir;
  private static io.vertx.core.Vertx sinkVertx;
  private static ScriptedSmarthost sink;
  private static Path profileDir;
  private static Service service;
  private static String baseUrl;
  private static ChromeDriverService driverService;
  private static ChromeDriver driver;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The alias created in {@link #createsAnAliasByKeyboardAndListsItWithLiveStatus()}. */
  private static String aid;
  private static String address;

  @BeforeAll
  static void startServiceAndBrowser() throws Exception {
    SELENIUM_DEVTOOLS.setLevel(Level.SEVERE);
    OptionalTool.CHROMIUM.require();
    OptionalTool.CHROMEDRIVER.require();
    dataDir = Files.createTempDirectory("tempalias-web-data");
    profileDir = Files.createTempDirectory("tempalias-web-chromium");
    sinkVertx = io.vertx.core.Vertx.vertx();
    sink = new ScriptedSmarthost();
    int sinkPort = sink.start(sinkVertx).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    Map<String, String> env = Map.of(
        "TEMPALIAS_HTTP_PORT", "0",
        "TEMPALIAS_SMTP_PORT", "0",
        "TEMPALIAS_DATA_DIR", dataDir.toString(),
        "TEMPALIAS_SMARTHOST", "127.0.0.1:" + sinkPort, // where the confirmation mail goes
        "TEMPALIAS_CREATE_LIMIT_PER_MINUTE", "0");
    service = Service.start(Settings.load(new String[0], env))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    baseUrl = "http://127.0.0.1:" + service.httpPort() + "/";

    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(baseUrl)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as("GET / (the page from alias-api's webroot/)").isEqualTo(200);
    assertThat(page.body()).as("GET / serves webroot/index.html").contains("id=\"create-form\"");

    driverService = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--lang=en-US", "--window-size=1280,900",
        "--user-data-dir=" + profileDir);
    driver = new ChromeDriver(driverService, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    viewport(1280, 900, false);
  }

  @AfterAll
  static void stopBrowserAndService() throws Exception {
    try {
      if (driver != null) {
        driver.quit();
      }
      if (driverService != null) {
        driverService.stop();
      }
    } finally {
      if (service != null) {
        service.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      if (sinkVertx != null) {
        sinkVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      deleteTree(profileDir);
      deleteTree(dataDir);
    }
  }

  @Test
  @Order(1)
  void badTargetIsExplainedNextToTheTargetField() {
    open();
    fill("<b>bold</b>@example.org", "7", "10");
    driver.findElement(By.id("create-button")).click();

    WebElement error = waitVisible(By.cssSelector("#target-field #target-error"));
    assertThat(error.getText()).contains("can't be used").contains("< or >");
    WebElement target = driver.findElement(By.id("target"));
    assertThat(target.getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(target.getAttribute("aria-describedby")).contains("target-error");
    assertThat(driver.switchTo().activeElement()).as("focus moves to the field to fix").isEqualTo(target);
    // What the server echoed never became markup.
    assertThat(driver.findElements(By.cssSelector("main b"))).isEmpty();

    fill("someone@invalid", "7", "10");
    driver.findElement(By.id("create-button")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("target-error"), "dot"));
    assertThat(driver.findElement(By.id("limits-error")).isDisplayed()).isFalse();
    assertThat(driver.findElement(By.id("result")).isDisplayed()).isFalse();
    assertThat(listItems()).isEmpty();
  }

  @Test
  @Order(2)
  void createsAnAliasByKeyboardAndListsItWithLiveStatus() throws Exception {
    open();
    fill("jane.doe@example.org", "7", "10");
    driver.findElement(By.id("uses")).sendKeys(Keys.ENTER);

    WebElement shown = waitVisible(By.id("result-address"));
    address = shown.getText();
    assertThat(address).matches("[a-z0-9]{10}@localhost");
    aid = address.substring(0, address.indexOf('@'));
    assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("result-heading");
    assertThat(driver.findElement(By.id("result-target")).getText()).isEqualTo("jane.doe@example.org");
    assertThat(driver.findElement(By.id("result-expiry")).getText()).contains("in 7 days");
    assertThat(driver.findElement(By.id("result-uses")).getText()).isEqualTo("10");
    assertThat(driver.findElement(By.id("result-copy")).isDisplayed()).isTrue();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("announcer"), "Alias created: " + address));

    // The target must confirm first: the page says a link went out, the list says it waits.
    assertThat(driver.findElement(By.id("result-pending")).getText()).contains("jane.doe@example.org", "confirms");
    WebElement item = waitVisible(itemOf(aid));
    assertThat(item.getText()).contains(address, "Forwards to jane.doe@example.org", "Waiting for confirmation");

    // The link in the mail: the page shows what was asked; the button confirms.
    org.tempalias.testsupport.Await.waitFor("the confirmation mail", () -> !sink.delivered.isEmpty());
    java.util.regex.Matcher link = java.util.regex.Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/confirm/[A-Za-z0-9_-]+)")
        .matcher(sink.delivered.get(0).text());
    assertThat(link.find()).isTrue();
    driver.get(link.group(1));
    assertThat(waitVisible(By.tagName("h1")).getText()).isEqualTo("An alias forwards to you");
    assertThat(driver.findElement(By.tagName("main")).getText()).contains(address, "Not answered yet");
    Files.createDirectories(SCREENSHOTS);
    viewport(390, 844, true);
    Files.write(SCREENSHOTS.resolve("confirm-phone.png"), driver.getScreenshotAs(OutputType.BYTES));
    viewport(1280, 900, false);
    WebElement confirm = driver.findElement(By.cssSelector("button[value=confirm]"));
    confirm.sendKeys(Keys.ENTER); // keyboard, as a phone's or a screen reader's user would
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Confirmed"));
    Files.write(SCREENSHOTS.resolve("confirmed.png"), driver.getScreenshotAs(OutputType.BYTES));

    open();
    waiting().until(ExpectedConditions.attributeToBe(itemOf(aid), "data-state", "active"));
    item = driver.findElement(itemOf(aid));
    assertThat(item.getText()).contains(address, "Forwards to jane.doe@example.org", "Active",
        "10 of 10 messages left", "Expires in 7 days");

    // The key stays in this browser; the real API accepts it.
    String key = updateKey(aid);
    HttpResponse<String> status = getAlias(aid, key);
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(status.body()).getString("target")).isEqualTo("jane.doe@example.org");

    // After a reload the list comes from local storage and its status from GET /aliases/{aid}.
    driver.navigate().refresh();
    waiting().until(ExpectedConditions.attributeToBe(itemOf(aid), "data-state", "active"));
    assertThat(driver.findElement(itemOf(aid)).getText()).contains("10 of 10 messages left", "Expires in 7 days");
  }

  @Test
  @Order(3)
  void screenshotsAtDesktopAndPhoneWidth() throws Exception {
    Files.createDirectories(SCREENSHOTS);
    open();
    fill("jane.doe@example.org", "30", "");
    driver.findElement(By.id("create-button")).click();
    waitVisible(By.id("result-address"));
    fill("jane.doe@example.org", "7", "10");
    String before = driver.findElement(By.id("result-address")).getText();
    driver.findElement(By.id("create-button")).click();
    waiting().until(d -> !d.findElement(By.id("result-address")).getText().equals(before));
    waiting().until(d -> listItems().size() == 3);

    viewport(1280, 900, false);
    settle(0);
    Files.write(SCREENSHOTS.resolve("screenshot-desktop.png"), driver.getScreenshotAs(OutputType.BYTES));

    viewport(390, 844, true);
    settle(0);
    Files.write(SCREENSHOTS.resolve("screenshot-phone.png"), driver.getScreenshotAs(OutputType.BYTES));
    viewport(1280, 900, false);

    assertThat(SCREENSHOTS.resolve("screenshot-desktop.png")).isNotEmptyFile();
    assertThat(SCREENSHOTS.resolve("screenshot-phone.png")).isNotEmptyFile();
  }

  @Test
  @Order(4)
  void extendGivesATimedAliasAWeekMore() throws Exception {
    assertThat(aid).as("the alias from the creation test").isNotNull();
    String key = updateKey(aid);
    open();
    waiting().until(ExpectedConditions.attributeToBe(itemOf(aid), "data-state", "active"));
    WebElement extend = driver.findElement(itemOf(aid)).findElement(By.cssSelector("[data-action=extend]"));
    assertThat(extend.getText()).as("its name says which alias").startsWith("Extend").contains(address);
    extend.click();

    // Seven days left, rounded up, plus a week; the server's expiry moved with it.
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("announcer"), "Extended " + address + ": it now expires in 14 days."));
    waiting().until(d -> d.findElement(itemOf(aid)).getText().contains("Expires in 14 days"));
    JsonObject status = new JsonObject(getAlias(aid, key).body());
    java.time.Instant until = java.time.Instant.parse(status.getString("valid_until"));
    assertThat(until).isBetween(java.time.Instant.now().plus(Duration.ofDays(14)).minusSeconds(60),
        java.time.Instant.now().plus(Duration.ofDays(14)));
    assertThat(status.getInteger("uses_left")).as("the use limit is left as it was").isEqualTo(10);
    assertThat(stored().stream().map(JsonObject.class::cast).filter(e -> aid.equals(e.getString("aid")))
        .findFirst().orElseThrow().getString("validUntil")).isEqualTo(status.getString("valid_until"));
  }

  @Test
  @Order(5)
  void anApiTokenIsShownOnceAndWorksForAPasswordManager() throws Exception {
    open();
    waiting().until(ExpectedConditions.attributeToBe(itemOf(aid), "data-state", "active"));
    WebElement button = driver.findElement(itemOf(aid)).findElement(By.cssSelector("[data-action=token]"));
    button.click();
    WebElement dialog = waitVisible(By.id("token-dialog"));
    String token = driver.findElement(By.id("token-value")).getText();
    assertThat(token).matches("ta_[A-Za-z0-9_-]{43}");
    assertThat(dialog.getText()).contains("addy.io", baseUrl.replaceAll("/$", ""), "localhost");
    assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("token-copy");

    // What Bitwarden's addy.io forwarder then sends, with what the dialog said.
    HttpResponse<String> made = http.send(HttpRequest.newBuilder(URI.create(
            driver.findElement(By.id("token-server")).getText() + "/api/v1/aliases"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("X-Requested-With", "XMLHttpRequest")
        .POST(HttpRequest.BodyPublishers.ofString("{\"domain\":\"" + driver.findElement(By.id("token-domain")).getText()
            + "\",\"description\":\"Generated by Bitwarden.\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    assertThat(new JsonObject(made.body()).getJsonObject("data").getString("email")).endsWith("@localhost");

    driver.findElement(By.id("token-close")).click();
    waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-dialog")));
    assertThat(driver.findElement(By.id("token-value")).getText()).as("shown once").isEmpty();
    assertThat(driver.switchTo().activeElement()).isEqualTo(button);
    assertThat(stored().encode()).as("the token is not kept in the browser").doesNotContain(token);
  }

  @Test
  @Order(6)
  void deletesAfterConfirmationAndTheAliasIsGone() throws Exception {
    assertThat(aid).as("the alias from the creation test").isNotNull();
    String key = updateKey(aid);
    open();
    waiting().until(ExpectedConditions.attributeToBe(itemOf(aid), "data-state", "active"));

    // Escape backs out of the dialog and puts focus back on the button that opened it.
    WebElement deleteButton = driver.findElement(itemOf(aid)).findElement(By.cssSelector("[data-action=delete]"));
    deleteButton.click();
    WebElement dialog = waitVisible(By.id("confirm-dialog"));
    assertThat(dialog.getText()).contains("Delete this alias?", address);
    assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("confirm-cancel");
    driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
    waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm-dialog")));
    assertThat(driver.switchTo().activeElement()).isEqualTo(deleteButton);
    assertThat(getAlias(aid, key).statusCode()).as("cancelled: still there").isEqualTo(200);

    // Enter on the focused Delete button, Tab to "Delete alias", Enter: keyboard only.
    driver.switchTo().activeElement().sendKeys(Keys.ENTER);
    waitVisible(By.id("confirm-dialog"));
    driver.switchTo().activeElement().sendKeys(Keys.TAB);
    assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("confirm-delete");
    driver.switchTo().activeElement().sendKeys(Keys.ENTER);

    waiting().until(ExpectedConditions.numberOfElementsToBe(itemOf(aid), 0));
    assertThat(driver.findElement(By.id("confirm-dialog")).isDisplayed()).isFalse();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("announcer"), "Deleted " + address));
    assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("aliases-heading");
    assertThat(storedAids()).doesNotContain(aid);
    assertThat(getAlias(aid, key).statusCode()).as("deleted on the server").isEqualTo(404);
  }

  // ------------------------------------------------------------------ helpers

  private static void open() {
    driver.get(baseUrl);
    waiting().until(ExpectedConditions.elementToBeClickable(By.id("create-button")));
  }

  private static void fill(String target, String days, String uses) {
    type(By.id("target"), target);
    type(By.id("days"), days);
    type(By.id("uses"), uses);
  }

  private static void type(By field, String text) {
    WebElement input = driver.findElement(field);
    input.clear();
    input.sendKeys(text);
  }

  private static WebElement waitVisible(By locator) {
    return waiting().until(ExpectedConditions.visibilityOfElementLocated(locator));
  }

  private static By itemOf(String aid) {
    return By.cssSelector("#alias-list li[data-aid='" + aid + "']");
  }

  private static List<WebElement> listItems() {
    return driver.findElements(By.cssSelector("#alias-list li"));
  }

  private static JsonArray stored() {
    Object json = ((JavascriptExecutor) driver).executeScript("return localStorage.getItem(arguments[0])", STORAGE_KEY);
    return json == null ? new JsonArray() : new JsonArray((String) json);
  }

  private static List<String> storedAids() {
    return stored().stream().map(o -> ((JsonObject) o).getString("aid")).toList();
  }

  private static String updateKey(String aid) {
    return stored().stream()
        .map(o -> (JsonObject) o)
        .filter(o -> aid.equals(o.getString("aid")))
        .map(o -> o.getString("key"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("alias " + aid + " is not in local storage"));
  }

  private static HttpResponse<String> getAlias(String aid, String key) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "aliases/" + aid))
        .header("Authorization", "Bearer " + key)
        .timeout(Duration.ofSeconds(10))
        .GET()
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** An exact CSS viewport, whatever the headless window's decorations; mobile for the phone. */
  private static void viewport(int width, int height, boolean mobile) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
        "width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
  }

  /** Puts the page in the state a screenshot should show: pointer off every control, scrolled to y. */
  private static void settle(int scrollY) {
    new Actions(driver).moveToLocation(1, 1).perform();
    ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, arguments[0]);", scrollY);
    // Two animation frames: layout after the viewport change and the scroll are both painted.
    ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
  }

  /** A wait that polls again when the page re-rendered the element it had just found. */
  private static WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
