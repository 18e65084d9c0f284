package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.dashboard.DashboardCache;
import dev.arkonis.ark.bridge.dashboard.DashboardServer;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real headless Chromium, served next to {@code ark dev}'s runtime (in-process
 * API server and Temporal, mock model with a latency so steps can be watched): a run page colours
 * its DAG live until every step is Succeeded without a reload; a run is triggered from the form
 * generated from the team's inputs (model and input text shown as text, never as HTML); a timed-out
 * run is retried from its failed step; a running run is cancelled. Screenshots of the main pages go
 * to {@code cli/target/dashboard-screenshots/} (docs/dashboard.md says how they reach docs/).
 */
class DashboardBrowserIT {
  /** A namespace of its own: workflow ids stay unique on a Temporal server kept between runs. */
  static final String NS = "dash-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);

  static final Path SHOTS = Path.of("target", "dashboard-screenshots");

  @TempDir static Path dir;
  static DevRuntime dev;
  static DashboardCache cache;
  static DashboardServer server;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Files.copy(Cli.repoRoot().resolve("examples/blog-pipeline.yaml"), dir.resolve("blog.yaml"));
    Files.copy(Cli.repoRoot().resolve("examples/research-team.yaml"), dir.resolve("research.yaml"));
    browser = Browser.start();
    String temporal = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (temporal == null || temporal.isBlank()) {
      throw new IllegalStateException(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test, which starts a"
              + " Temporal dev server (cancelling a run needs a real one)");
    }
    dev =
        new DevRuntime(
            new DevRuntime.Options(
                dir, null, NS, temporal, "default", 0, "mock", Duration.ofMillis(2000), "ark:dev"),
            line -> {});
    cache = DashboardCache.start(dev.client(), dev.watchNamespace());
    server =
        new DashboardServer(
            cache,
            dev.client(),
            dev.temporalClient(),
            new DashboardServer.Settings("127.0.0.1", 0, true, "http://localhost:8233", "default"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
    if (cache != null) {
      cache.close();
    }
    if (dev != null) {
      dev.close();
    }
  }

  static String url(String hash) {
    return "http://127.0.0.1:" + server.port() + "/" + hash;
  }

  static void open(String hash) {
    browser.driver.get(url(hash));
    awaitJs("return document.getElementById('live').textContent === 'live'");
  }

  static void awaitJs(String script) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Boolean.TRUE.equals(js(script)));
  }

  static Object js(String script) {
    return ((JavascriptExecutor) browser.driver).executeScript(script);
  }

  /** Clicks an element of a page that re-renders live (found again when it was replaced). */
  static void click(By by) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              browser.driver.findElement(by).click();
              return true;
            });
  }

  /** The phase the run page's DAG shows for a step (read in the page: it re-renders live). */
  static String phaseOf(String step) {
    return (String)
        js(
            "var g = document.querySelector(\"svg.dag g[data-step='"
                + step
                + "']\"); return g === null ? null : g.getAttribute('data-phase');");
  }

  static String createRun(String name, String extraSpec) {
    String yaml =
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata:
          name: %s
        spec:
          teamRef:
            name: blog-pipeline
          input:
            topic: durable agents
        %s
        """
            .formatted(name, extraSpec.indent(2));
    dev.client()
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .inNamespace(NS)
        .create();
    return name;
  }

  static JsonNode run(String name) {
    ArkRun run = dev.client().resources(ArkRun.class).inNamespace(NS).withName(name).get();
    return run == null
        ? null
        : dev.client().getKubernetesSerialization().convertValue(run, JsonNode.class);
  }

  @Test
  void runPageColoursTheDagLiveUntilEveryStepSucceededWithoutReloading() throws Exception {
    open("#/teams");
    awaitJs(
        "return document.querySelector('a[href=\"#/team/" + NS + "/blog-pipeline\"]') !== null");
    browser.screenshot(SHOTS.resolve("teams.png"));
    open("#/team/" + NS + "/blog-pipeline");
    awaitJs("return document.querySelectorAll('svg.dag g.node').length === 4");
    browser.screenshot(SHOTS.resolve("team-dag.png"));
    open("#/team/" + NS + "/research-team");
    awaitJs("return document.querySelectorAll('svg.dag path.edge.delegate').length === 2");
    browser.screenshot(SHOTS.resolve("team-delegation.png"));
    open("#/agents");
    awaitJs("return document.querySelectorAll('main tbody tr').length >= 7");
    browser.screenshot(SHOTS.resolve("agents.png"));

    String name = createRun("watched-run", "");
    browser.driver.get(url("#/run/" + NS + "/" + name));
    js("window.__notReloaded = true");
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> "Running".equals(phaseOf("researcher")));
    assertThat(phaseOf("editor")).isEqualTo("Pending");
    browser.screenshot(SHOTS.resolve("run-running.png"));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> "Succeeded".equals(phaseOf("researcher")) && "Running".equals(phaseOf("writer")));
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                List.of("researcher", "writer", "checker", "editor").stream()
                    .allMatch(s -> "Succeeded".equals(phaseOf(s))));
    // the same document all along: pushed over Server-Sent Events, not reloaded
    assertThat(js("return window.__notReloaded === true")).isEqualTo(true);
    assertThat(js("return document.getElementById('run-phase').textContent"))
        .isEqualTo("Succeeded");
    assertThat(js("return document.getElementById('temporal-link').href"))
        .isEqualTo(
            "http://localhost:8233/namespaces/default/workflows/arkrun%2F" + NS + "%2Fwatched-run");
    // per-step detail from Temporal history: the rendered prompt of the researcher
    click(By.cssSelector("#step-researcher summary"));
    awaitJs(
        "var p = document.querySelector('#step-researcher pre.prompt');"
            + " return p !== null && p.textContent.indexOf('durable agents') >= 0");
    browser.screenshot(SHOTS.resolve("run.png"));
    open("#/runs");
    browser.screenshot(SHOTS.resolve("runs.png"));
  }

  @Test
  void triggerFromTheInputsFormShowsHostileTextAsText() throws Exception {
    open("#/team/" + NS + "/blog-pipeline");
    awaitJs("return document.getElementById('input-topic') !== null");
    String hostile = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
    WebElement topic = browser.driver.findElement(By.id("input-topic"));
    topic.sendKeys(hostile);
    // the default of "audience" is filled in from the team's inputs[]
    assertThat(browser.driver.findElement(By.id("input-audience")).getAttribute("value"))
        .isEqualTo("platform engineers");
    click(By.id("trigger"));
    awaitJs(
        "return location.hash.indexOf('#/run/"
            + NS
            + "/blog-pipeline-') === 0"
            + " || document.querySelector('.form-status.error') !== null");
    assertThat(browser.driver.findElements(By.cssSelector(".form-status.error")))
        .as("%s", browser.driver.findElement(By.tagName("main")).getText())
        .isEmpty();
    String name = ((String) js("return location.hash")).substring(("#/run/" + NS + "/").length());
    JsonNode created = run(name);
    assertThat(created.path("spec").path("input").path("topic").asText()).isEqualTo(hostile);
    assertThat(created.path("spec").path("input").path("audience").asText())
        .isEqualTo("platform engineers");
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "Succeeded".equals(phaseOf("editor")));
    click(By.cssSelector("#step-researcher summary"));
    awaitJs(
        "var p = document.querySelector('#step-researcher pre.prompt');"
            + " return p !== null && p.textContent.indexOf('<img src=x') >= 0");
    assertThat(js("return window.__xss === undefined")).isEqualTo(true);
    assertThat(browser.driver.findElements(By.cssSelector("main img, main script"))).isEmpty();
  }

  @Test
  void timedOutRunIsRetriedFromItsFailedStep() throws Exception {
    // 2 s per model call: researcher, writer + checker, editor need ~6 s; the run stops at 5 s.
    // The retry runs under the team's limits (600 s) and reuses what succeeded.
    String name = createRun("slow-run", "timeoutSeconds: 5");
    open("#/run/" + NS + "/" + name);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> "TimedOut".equals(run(name).path("status").path("phase").asText()));
    awaitJs("return document.getElementById('retry') !== null");
    assertThat(browser.driver.findElements(By.id("cancel"))).isEmpty();
    click(By.id("retry"));
    awaitJs("return location.hash !== '#/run/" + NS + "/slow-run'");
    String retry = ((String) js("return location.hash")).substring(("#/run/" + NS + "/").length());
    assertThat(run(retry).path("spec").path("retryOf").path("run").asText()).isEqualTo(name);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "Succeeded".equals(phaseOf("editor")));
    assertThat(js("return document.getElementById('run-phase').textContent"))
        .isEqualTo("Succeeded");
    // the researcher succeeded in the first run: reused, not run again (no model call in history)
    JsonNode steps = run(retry).path("status").path("steps");
    assertThat(steps.findValuesAsText("name")).contains("researcher");
    assertThat(
            ((Number)
                    ((JavascriptExecutor) browser.driver)
                        .executeAsyncScript(
                            "var done = arguments[arguments.length - 1];"
                                + " fetch('/api/runs/"
                                + NS
                                + "/"
                                + retry
                                + "/history').then(r => r.json())"
                                + ".then(h => done(h.steps.researcher ? h.steps.researcher.calls.length : 0));"))
                .intValue())
        .isZero();
  }

  @Test
  void runningRunIsCancelled() throws Exception {
    String name = createRun("cancelled-run", "");
    open("#/run/" + NS + "/" + name);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> "Running".equals(phaseOf("researcher")));
    click(By.id("cancel"));
    // the ArkRun is deleted: the operator cancels the workflow, then lets the finalizer go
    awaitJs("return document.querySelector('main').textContent.indexOf('not found') >= 0");
    assertThat(run(name)).isNull();
    WorkflowExecutionStatus status =
        dev.temporalClient()
            .newUntypedWorkflowStub("arkrun/" + NS + "/" + name)
            .describe()
            .getStatus();
    assertThat(status).isNotEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
  }
}
