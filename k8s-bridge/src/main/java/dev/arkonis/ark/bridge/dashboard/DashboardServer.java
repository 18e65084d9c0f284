package dev.arkonis.ark.bridge.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.http.EmbeddedServer;
import dev.arkonis.ark.bridge.http.Exchange;
import dev.arkonis.ark.bridge.http.HttpLimits;
import dev.arkonis.ark.bridge.http.Reply;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ark dashboard on an {@link EmbeddedServer} of its own port: the browser app (classpath
 * assets, {@link DashboardAssets}), {@code GET /api/state} and the live stream {@code GET
 * /api/stream} (Server-Sent Events from {@link DashboardCache}), a run's per-step detail from
 * Temporal history ({@code GET /api/runs/<ns>/<name>/history}) and, only when actions are enabled,
 * {@code POST /api/actions/{trigger,retry,cancel}} and {@code GET /api/agents/<ns>/<name>/logs}.
 * Every action needs the page's CSRF token ({@link CsrfTokens}) and a same-origin request.
 */
public final class DashboardServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  static final long MAX_BODY = 64 * 1024;

  /**
   * @param host address to listen on
   * @param port 0 = any free port
   * @param actions trigger, retry, cancel and logs allowed (else read-only)
   * @param temporalUiUrl base URL of the Temporal Web UI for links, or null
   * @param temporalNamespace the Temporal namespace of the runs' workflows
   */
  public record Settings(
      String host, int port, boolean actions, String temporalUiUrl, String temporalNamespace) {}

  private final DashboardCache cache;
  private final DashboardHub hub;
  private final RunHistory history;
  private final DashboardActions actions;
  private final Settings settings;
  private final CsrfTokens csrf = new CsrfTokens();
  private final DashboardAssets assets = new DashboardAssets();
  private final EmbeddedServer server;

  public DashboardServer(
      DashboardCache cache, KubernetesClient client, WorkflowClient temporal, Settings settings) {
    this(cache, client, temporal, settings, AgentLogs.NONE);
  }

  /**
   * @param local the log of agent workers running in this process ({@code ark dev}), shown instead
   *     of pod logs for those agents
   */
  public DashboardServer(
      DashboardCache cache,
      KubernetesClient client,
      WorkflowClient temporal,
      Settings settings,
      AgentLogs local) {
    this.cache = cache;
    this.settings = settings;
    this.history = new RunHistory(temporal);
    this.actions = new DashboardActions(client, cache.watchNamespace(), local);
    ObjectNode shown = JSON.createObjectNode();
    shown.put("actions", settings.actions());
    shown.put("temporalUiUrl", trimSlash(settings.temporalUiUrl()));
    shown.put("temporalNamespace", settings.temporalNamespace());
    shown.put("namespace", cache.watchNamespace());
    this.hub = new DashboardHub(cache, shown);
    this.server =
        EmbeddedServer.builder("dashboard", settings.host(), settings.port(), HttpLimits.DEFAULT)
            .route("/", e -> done(index(e)))
            .route("/assets/", e -> done(withHeaders(assets.asset(e.path()))))
            .route("/api/state", e -> done(json(200, hub.snapshot())))
            .stream("/api/stream", hub::open)
            .route("/api/runs/", e -> done(runHistory(e)))
            .route("/api/actions/", e -> done(action(e)))
            .route("/api/agents/", e -> done(logs(e)))
            .start();
  }

  public int port() {
    return server.port();
  }

  /** Open browser streams (for tests and logs). */
  int streams() {
    return hub.streams();
  }

  private Reply index(Exchange e) {
    if (!"/".equals(e.path())) {
      return Reply.error(404, "no such page " + e.path() + "; the dashboard is at /");
    }
    if (!"GET".equals(e.method())) {
      return Reply.error(405, "use GET");
    }
    String token = csrf.issue();
    return withHeaders(assets.index(token))
        .withHeader(
            "Set-Cookie", CsrfTokens.COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict")
        .withHeader("Cache-Control", "no-store");
  }

  private Reply runHistory(Exchange e) {
    String[] parts = segments(e.path(), "/api/runs/");
    if (parts.length != 3 || !"history".equals(parts[2]) || !"GET".equals(e.method())) {
      return Reply.error(404, "no such endpoint; use GET /api/runs/<namespace>/<name>/history");
    }
    String namespace = parts[0];
    String name = parts[1];
    JsonNode run = cache.get("ArkRun", namespace, name);
    if (run == null) {
      return Reply.error(404, "ArkRun " + namespace + "/" + name + " not found");
    }
    String workflowId = run.path("status").path("workflowId").asText("");
    if (workflowId.isEmpty()) {
      workflowId = RunPlan.workflowId(namespace, name);
    }
    try {
      return json(200, history.read(workflowId));
    } catch (WorkflowNotFoundException ex) {
      return Reply.error(
          404, "ArkRun " + namespace + "/" + name + " has no workflow " + workflowId + " (yet)");
    } catch (io.grpc.StatusRuntimeException ex) {
      if (ex.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        return Reply.error(
            404, "ArkRun " + namespace + "/" + name + " has no workflow " + workflowId + " (yet)");
      }
      LOG.warn("dashboard: history of {}: {}", workflowId, ex.toString());
      return Reply.error(503, "Temporal cannot be reached; try again later");
    }
  }

  private Reply action(Exchange e) throws IOException, Exchange.TooLarge {
    String[] parts = segments(e.path(), "/api/actions/");
    if (parts.length != 1 || !"POST".equals(e.method())) {
      return Reply.error(404, "no such endpoint; actions are POST /api/actions/<action>");
    }
    Reply refused = refuse(e);
    if (refused != null) {
      return refused;
    }
    String contentType = e.header("Content-Type");
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      return Reply.error(415, "send the action as Content-Type: application/json");
    }
    JsonNode body;
    try {
      body = JSON.readTree(e.body(MAX_BODY));
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      return Reply.error(400, "the body is not JSON: " + ex.getOriginalMessage());
    }
    if (body == null || !body.isObject()) {
      return Reply.error(400, "the body must be a JSON object");
    }
    String namespace = body.path("namespace").asText("");
    ObjectNode answer = JSON.createObjectNode();
    try {
      switch (parts[0]) {
        case "trigger" -> {
          String team = requireName(body, "team");
          answer.put("run", actions.trigger(namespace, team, body.get("input")));
        }
        case "retry" -> answer.put("run", actions.retry(namespace, requireName(body, "run")));
        case "cancel" -> {
          String run = requireName(body, "run");
          actions.cancel(namespace, run);
          answer.put("cancelled", run);
        }
        default -> {
          return Reply.error(404, "no such action " + parts[0] + "; use trigger, retry or cancel");
        }
      }
    } catch (DashboardActions.ActionError ex) {
      return Reply.error(ex.status, ex.getMessage());
    }
    answer.put("namespace", namespace);
    LOG.info("dashboard: {} {}", parts[0], answer);
    return json(200, answer);
  }

  private Reply logs(Exchange e) {
    String[] parts = segments(e.path(), "/api/agents/");
    if (parts.length != 3 || !"logs".equals(parts[2]) || !"GET".equals(e.method())) {
      return Reply.error(404, "no such endpoint; use GET /api/agents/<namespace>/<name>/logs");
    }
    Reply refused = refuse(e);
    if (refused != null) {
      return refused;
    }
    int lines = 200;
    String query = e.rawQuery();
    if (query != null && query.matches("lines=\\d{1,4}")) {
      lines = Integer.parseInt(query.substring("lines=".length()));
    }
    try {
      return json(200, actions.logs(parts[0], parts[1], lines));
    } catch (DashboardActions.ActionError ex) {
      return Reply.error(ex.status, ex.getMessage());
    } catch (KubernetesClientException ex) {
      return Reply.error(502, "the API server refused the pod list: " + ex.getMessage());
    }
  }

  /** Null when an action may run: actions enabled, CSRF token valid, same origin. */
  private Reply refuse(Exchange e) {
    if (!settings.actions()) {
      return Reply.error(
          403,
          "this dashboard is read-only: start it with --dashboard-actions to trigger, retry and"
              + " cancel runs and to read agent logs");
    }
    String problem = csrf.check(e);
    return problem == null ? null : Reply.error(403, problem);
  }

  private static String requireName(JsonNode body, String field) {
    String value = body.path(field).asText("");
    if (!NAME.matcher(value).matches()) {
      throw new DashboardActions.ActionError(
          400, "\"" + field + "\" must be the name of an object (lowercase, DNS-1123)");
    }
    return value;
  }

  /** The decoded segments after {@code prefix}; each must be a DNS-1123 name (or empty array). */
  private static String[] segments(String path, String prefix) {
    String[] raw = path.substring(prefix.length()).split("/", -1);
    for (int i = 0; i < raw.length; i++) {
      raw[i] = URLDecoder.decode(raw[i], StandardCharsets.UTF_8);
      if (!NAME.matcher(raw[i]).matches()) {
        return new String[0];
      }
    }
    return raw;
  }

  private static Reply json(int status, JsonNode body) {
    return withHeaders(Reply.json(status, body)).withHeader("Cache-Control", "no-store");
  }

  /** Headers of every dashboard answer: no framing, no sniffing, scripts only from here. */
  static Reply withHeaders(Reply reply) {
    return reply
        .withHeader(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors"
                + " 'none'")
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("Referrer-Policy", "no-referrer")
        .withHeader("X-Frame-Options", "DENY");
  }

  private static CompletionStage<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private static String trimSlash(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public void close() {
    hub.close();
    server.close();
  }
}
