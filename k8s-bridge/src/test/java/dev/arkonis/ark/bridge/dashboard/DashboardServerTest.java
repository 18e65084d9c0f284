package dev.arkonis.ark.bridge.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's HTTP surface on a CRUD mock API server: live state over Server-Sent Events, the
 * read-only mode refusing every action, CSRF and origin checks, input checks that create nothing,
 * retry and cancel rules, and the security headers of the page.
 */
@EnableKubernetesMockClient(crud = true)
class DashboardServerTest {
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String NS = "dash";

  static final String TEAM =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata:
        name: writers
      spec:
        inputs:
          - name: topic
            type: string
            required: true
          - name: depth
            type: integer
            default: "2"
        roles:
          - name: researcher
            model: mock
          - name: writer
            model: mock
        pipeline:
          - name: research
            role: researcher
            inputs:
              prompt: "Research {{ .input.topic }}"
          - name: write
            role: writer
            dependsOn: [research]
            inputs:
              prompt: "Write about {{ .steps.research.output }}"
      """;

  KubernetesClient client;
  TestWorkflowEnvironment temporal;
  DashboardCache cache;
  DashboardServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() {
    MOCK_LOG.setLevel(Level.WARNING);
    CrdCatalog.install(client);
    client
        .load(new ByteArrayInputStream(TEAM.getBytes(StandardCharsets.UTF_8)))
        .inNamespace(NS)
        .createOrReplace();
    temporal =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    cache = DashboardCache.start(client, null);
    await().atMost(Duration.ofSeconds(30)).until(() -> cache.notReady() == null);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    cache.close();
    temporal.close();
  }

  void start(boolean actions) {
    server =
        new DashboardServer(
            cache,
            client,
            temporal.getWorkflowClient(),
            new DashboardServer.Settings(
                "127.0.0.1", 0, actions, "http://temporal-ui:8233/", "default"));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  /** GET / : the page, its CSRF token (meta tag) and cookie. */
  String[] session() throws Exception {
    HttpResponse<String> page =
        http.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());
    Matcher meta = Pattern.compile("name=\"ark-csrf\" content=\"([^\"]+)\"").matcher(page.body());
    assertThat(meta.find()).isTrue();
    String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
    return new String[] {meta.group(1), cookie.substring(0, cookie.indexOf(';'))};
  }

  HttpResponse<String> post(String action, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/api/actions/" + action))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postWithSession(String action, String body) throws Exception {
    String[] s = session();
    return post(
        action,
        body,
        "Content-Type",
        "application/json",
        "X-Ark-Csrf",
        s[0],
        "Cookie",
        s[1],
        "Origin",
        "http://127.0.0.1:" + server.port());
  }

  List<ArkRun> runs() {
    return client.resources(ArkRun.class).inNamespace(NS).list().getItems();
  }

  @Test
  void pageCarriesSecurityHeadersAndAnHttpOnlyStrictCookie() throws Exception {
    start(false);
    HttpResponse<String> page =
        http.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .contains("frame-ancestors 'none'");
    assertThat(page.headers().firstValue("Set-Cookie").orElseThrow())
        .contains("HttpOnly")
        .contains("SameSite=Strict");
    HttpResponse<String> js =
        http.send(
            HttpRequest.newBuilder(uri("/assets/app.js")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(js.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
    // the app sets cluster and model text with textContent only
    assertThat(js.body()).doesNotContain("innerHTML").doesNotContain("insertAdjacentHTML");
    HttpResponse<String> missing =
        http.send(
            HttpRequest.newBuilder(uri("/assets/../pom.xml")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
  }

  @Test
  void streamSendsASnapshotThenEveryChangeWithoutPolling() throws Exception {
    start(false);
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    HttpResponse<InputStream> stream = openStream(events);
    assertThat(stream.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/event-stream");
    String snapshot = events.poll(10, TimeUnit.SECONDS);
    assertThat(snapshot).startsWith("snapshot ");
    JsonNode state = JSON.readTree(snapshot.substring("snapshot ".length()));
    assertThat(state.path("objects").path("ArkTeam").get(0).path("metadata").path("name").asText())
        .isEqualTo("writers");
    assertThat(state.path("settings").path("actions").asBoolean()).isFalse();
    assertThat(state.path("settings").path("temporalUiUrl").asText())
        .isEqualTo("http://temporal-ui:8233");

    createTeam("editors");
    JsonNode pushed = change(events);
    assertThat(pushed.path("kind").asText()).isEqualTo("ArkTeam");
    assertThat(pushed.path("name").asText()).isEqualTo("editors");
    assertThat(pushed.path("object").path("spec").path("pipeline")).hasSize(2);
    assertThat(pushed.path("object").path("metadata").has("managedFields")).isFalse();
    assertThat(server.streams()).isEqualTo(1);
    assertThat(cache.listeners()).isEqualTo(1);
    stream.body().close();

    // the server sees the closed stream when a change fails to reach it; with nobody watching the
    // hub stops listening, and a new stream listens again from its snapshot
    java.util.concurrent.atomic.AtomicInteger closedTeams =
        new java.util.concurrent.atomic.AtomicInteger();
    await()
        .until(
            () -> {
              createTeam("reviewers-" + closedTeams.incrementAndGet());
              return server.streams() == 0;
            });
    assertThat(cache.listeners()).isZero();
    createTeam("reviewers");
    BlockingQueue<String> again = new LinkedBlockingQueue<>();
    HttpResponse<InputStream> second = openStream(again);
    String later = again.poll(10, TimeUnit.SECONDS);
    assertThat(later).startsWith("snapshot ").contains("\"reviewers\"");
    createTeam("planners");
    assertThat(change(again).path("name").asText()).isEqualTo("planners");
    second.body().close();
  }

  private void createTeam(String name) {
    client
        .load(
            new ByteArrayInputStream(
                TEAM.replace("name: writers", "name: " + name).getBytes(StandardCharsets.UTF_8)))
        .inNamespace(NS)
        .createOrReplace();
  }

  /** The next event, a change: its data. */
  private static JsonNode change(BlockingQueue<String> events) throws Exception {
    String change = events.poll(10, TimeUnit.SECONDS);
    assertThat(change).startsWith("change ");
    return JSON.readTree(change.substring("change ".length()));
  }

  /** GET /api/stream; its events ({@code <event> <data>}) go to {@code events}. */
  private HttpResponse<InputStream> openStream(BlockingQueue<String> events) throws Exception {
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(uri("/api/stream")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String event = null;
                for (String line; (line = in.readLine()) != null; ) {
                  if (line.startsWith("event: ")) {
                    event = line.substring(7);
                  } else if (line.startsWith("data: ")) {
                    events.add(event + " " + line.substring(6));
                  }
                }
              } catch (Exception e) {
                // closed by the test
              }
            });
    reader.setDaemon(true);
    reader.start();
    return stream;
  }

  @Test
  void readOnlyDashboardRefusesEveryActionAndCreatesNothing() throws Exception {
    start(false);
    HttpResponse<String> refused =
        postWithSession(
            "trigger", "{\"namespace\":\"dash\",\"team\":\"writers\",\"input\":{\"topic\":\"x\"}}");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(refused.body()).path("error").asText())
        .contains("read-only")
        .contains("--dashboard-actions");
    assertThat(postWithSession("cancel", "{\"namespace\":\"dash\",\"run\":\"r\"}").statusCode())
        .isEqualTo(403);
    HttpResponse<String> logs =
        http.send(
            HttpRequest.newBuilder(uri("/api/agents/dash/writers-writer/logs")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(logs.statusCode()).isEqualTo(403);
    assertThat(runs()).isEmpty();
  }

  @Test
  void actionsWithoutTheSessionTokenOrFromAnotherOriginAreRefused() throws Exception {
    start(true);
    String body = "{\"namespace\":\"dash\",\"team\":\"writers\",\"input\":{\"topic\":\"x\"}}";
    String[] s = session();
    String port = "http://127.0.0.1:" + server.port();
    // no token at all (a form post from another site cannot set the header)
    HttpResponse<String> none = post("trigger", body, "Content-Type", "application/json");
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(none.body()).contains("CSRF");
    // a header without the cookie, and a forged token with a matching cookie
    assertThat(
            post("trigger", body, "Content-Type", "application/json", "X-Ark-Csrf", s[0])
                .statusCode())
        .isEqualTo(403);
    assertThat(
            post(
                    "trigger",
                    body,
                    "Content-Type",
                    "application/json",
                    "X-Ark-Csrf",
                    "abc.def",
                    "Cookie",
                    CsrfTokens.COOKIE + "=abc.def")
                .statusCode())
        .isEqualTo(403);
    // the right token, but sent by a page of another origin
    HttpResponse<String> crossOrigin =
        post(
            "trigger",
            body,
            "Content-Type",
            "application/json",
            "X-Ark-Csrf",
            s[0],
            "Cookie",
            s[1],
            "Origin",
            "https://evil.example");
    assertThat(crossOrigin.statusCode()).isEqualTo(403);
    assertThat(crossOrigin.body()).contains("cross-origin");
    // not JSON: a simple form post is refused
    assertThat(
            post(
                    "trigger",
                    "namespace=dash",
                    "Content-Type",
                    "application/x-www-form-urlencoded",
                    "X-Ark-Csrf",
                    s[0],
                    "Cookie",
                    s[1])
                .statusCode())
        .isEqualTo(415);
    assertThat(runs()).isEmpty();

    HttpResponse<String> ok =
        post(
            "trigger",
            body,
            "Content-Type",
            "application/json",
            "X-Ark-Csrf",
            s[0],
            "Cookie",
            s[1],
            "Origin",
            port);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(runs()).hasSize(1);
  }

  @Test
  void triggerCreatesAnArkRunWithResolvedInputsOrNamesTheMissingInput() throws Exception {
    start(true);
    HttpResponse<String> missing =
        postWithSession("trigger", "{\"namespace\":\"dash\",\"team\":\"writers\",\"input\":{}}");
    assertThat(missing.statusCode()).isEqualTo(422);
    assertThat(JSON.readTree(missing.body()).path("error").asText())
        .contains("ArkTeam dash/writers")
        .contains("\"topic\"");
    HttpResponse<String> unknown =
        postWithSession("trigger", "{\"namespace\":\"dash\",\"team\":\"nope\",\"input\":{}}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(runs()).isEmpty();

    HttpResponse<String> ok =
        postWithSession(
            "trigger",
            "{\"namespace\":\"dash\",\"team\":\"writers\",\"input\":{\"topic\":\"<b>tea</b>\"}}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    String name = JSON.readTree(ok.body()).path("run").asText();
    assertThat(name).startsWith("writers-");
    JsonNode run =
        client
            .getKubernetesSerialization()
            .convertValue(
                client.resources(ArkRun.class).inNamespace(NS).withName(name).get(),
                JsonNode.class);
    assertThat(run.path("spec").path("teamRef").path("name").asText()).isEqualTo("writers");
    assertThat(run.path("spec").path("input").path("topic").asText()).isEqualTo("<b>tea</b>");
    assertThat(run.path("spec").path("input").path("depth").asText()).isEqualTo("2");
    assertThat(run.path("spec").path("triggeredBy").path("kind").asText()).isEqualTo("User");
  }

  @Test
  void retryNeedsAFinishedUnsuccessfulRunAndCancelARunningOne() throws Exception {
    start(true);
    createRun("failed-run", "Failed");
    createRun("running-run", "Running");

    HttpResponse<String> retryRunning =
        postWithSession("retry", "{\"namespace\":\"dash\",\"run\":\"running-run\"}");
    assertThat(retryRunning.statusCode()).isEqualTo(409);
    assertThat(retryRunning.body()).contains("ArkRun dash/running-run is Running");
    HttpResponse<String> cancelFinished =
        postWithSession("cancel", "{\"namespace\":\"dash\",\"run\":\"failed-run\"}");
    assertThat(cancelFinished.statusCode()).isEqualTo(409);
    assertThat(runs()).hasSize(2);

    HttpResponse<String> retry =
        postWithSession("retry", "{\"namespace\":\"dash\",\"run\":\"failed-run\"}");
    assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
    String retried = JSON.readTree(retry.body()).path("run").asText();
    JsonNode spec =
        client
            .getKubernetesSerialization()
            .convertValue(
                client.resources(ArkRun.class).inNamespace(NS).withName(retried).get(),
                JsonNode.class)
            .path("spec");
    assertThat(spec.path("retryOf").path("run").asText()).isEqualTo("failed-run");
    assertThat(spec.path("input").path("topic").asText()).isEqualTo("tea");
    // the run's own limit that stopped it is not carried over
    assertThat(spec.has("timeoutSeconds")).isFalse();

    HttpResponse<String> cancel =
        postWithSession("cancel", "{\"namespace\":\"dash\",\"run\":\"running-run\"}");
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    assertThat(client.resources(ArkRun.class).inNamespace(NS).withName("running-run").get())
        .isNull();
  }

  @Test
  void historyOfAnUnknownRunIsA404NamingIt() throws Exception {
    start(false);
    HttpResponse<String> missing =
        http.send(
            HttpRequest.newBuilder(uri("/api/runs/dash/nope/history")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("ArkRun dash/nope not found");
  }

  void createRun(String name, String phase) {
    String yaml =
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata:
          name: %s
        spec:
          teamRef:
            name: writers
          input:
            topic: tea
          timeoutSeconds: 5
        """
            .formatted(name);
    client
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .inNamespace(NS)
        .createOrReplace();
    ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName(name).get();
    JsonNode tree = client.getKubernetesSerialization().convertValue(run, JsonNode.class);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree).putObject("status").put("phase", phase);
    client
        .resources(ArkRun.class)
        .inNamespace(NS)
        .resource(client.getKubernetesSerialization().convertValue(tree, ArkRun.class))
        .updateStatus();
  }
}
