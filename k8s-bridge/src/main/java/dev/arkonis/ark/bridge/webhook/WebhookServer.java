package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.HttpIo.JSON;
import static dev.arkonis.ark.bridge.webhook.HttpIo.refuse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.arkonis.ark.bridge.webhook.HttpIo.Refused;
import dev.arkonis.ark.bridge.webhook.HttpIo.Reply;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireRequest;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.Target;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ArkEvent webhooks: {@code POST /triggers/<namespace>/<name>} with {@code Authorization: Bearer
 * <token>} and a JSON object body starts one {@link EventFireWorkflow} (one ArkRun per target) and
 * answers 202 with the run names; {@code ?mode=sync&timeout=60s} waits for the runs and answers
 * with their output. Nothing is started on any error. See {@code docs/events.md}.
 *
 * <p>Checks, in order: path (404) and method (405); the ArkEvent exists and has {@code source.type:
 * webhook} (404); its token Secret exists (503); the bearer token, compared in constant time (401);
 * {@code suspended} (503); query parameters (400); body size (413), JSON object (400) and a dry run
 * of the targets' input templates against it (400); {@code concurrencyPolicy} Forbid (409).
 * Authentication comes before {@code suspended} so callers without the token learn nothing but
 * whether the event exists.
 *
 * <p>Wiring: {@code new WebhookServer(EventStore.of(client, watchNamespace), temporal, 8081,
 * Limits.DEFAULT)} on every operator replica (it reads the API server, not the leader's caches),
 * closed with the operator.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);

  /** Path prefix of the trigger endpoint. */
  public static final String PATH = "/triggers/";

  /** A namespace (DNS-1123 label) and an object name (DNS-1123 subdomain). */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private static final Pattern NAME =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

  /** Prefix of the fire ids of webhook fires. */
  public static final String FIRE_ID_PREFIX = "webhook-";

  /**
   * @param maxBodyBytes largest accepted request body (413 above)
   * @param threads request-handling threads (sync-mode waits do not hold one)
   * @param defaultSyncTimeout wait of {@code mode=sync} without {@code timeout}
   * @param maxSyncTimeout largest accepted {@code timeout}
   */
  public record Limits(
      long maxBodyBytes, int threads, Duration defaultSyncTimeout, Duration maxSyncTimeout) {
    public static final Limits DEFAULT =
        new Limits(1024 * 1024, 32, Duration.ofSeconds(60), Duration.ofMinutes(10));

    public Limits {
      if (maxBodyBytes <= 0 || threads <= 0) {
        throw new IllegalArgumentException("maxBodyBytes and threads must be positive");
      }
      if (defaultSyncTimeout.compareTo(maxSyncTimeout) > 0) {
        throw new IllegalArgumentException("defaultSyncTimeout is over maxSyncTimeout");
      }
    }
  }

  private final EventStore store;
  private final WorkflowClient temporal;
  private final Limits limits;
  private final ConcurrencyGate gate;
  private final SyncReplies syncReplies;
  private final ExecutorService executor;
  private final HttpServer server;

  /** On {@code port} (0 = any free port) with {@link Limits#DEFAULT}, all namespaces. */
  public WebhookServer(KubernetesClient client, WorkflowClient temporal, int port) {
    this(EventStore.of(client, null), temporal, port, Limits.DEFAULT);
  }

  /**
   * @param store the cluster reads and writes, e.g. {@code EventStore.of(client, watchNamespace)}
   * @param port TCP port on all interfaces, 0 = any free port (see {@link #port()})
   */
  public WebhookServer(EventStore store, WorkflowClient temporal, int port, Limits limits) {
    this.store = store;
    this.temporal = temporal;
    this.limits = limits;
    this.gate = new ConcurrencyGate(store, temporal);
    this.syncReplies = new SyncReplies(store);
    this.executor = Executors.newFixedThreadPool(limits.threads(), daemonThreads());
    try {
      server = HttpServer.create(new InetSocketAddress(port), 256);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("cannot listen on port " + port + ": " + e.getMessage(), e);
    }
    server.createContext(PATH, this::handle);
    server.createContext("/", e -> HttpIo.send(e, notFound(e)));
    server.setExecutor(executor);
    server.start();
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Path of an event's endpoint: {@code /triggers/<namespace>/<name>}. */
  public static String path(String namespace, String name) {
    return PATH + namespace + "/" + name;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) {
    try {
      Reply reply = process(exchange);
      if (reply != null) {
        HttpIo.send(exchange, reply);
      }
    } catch (Refused e) {
      log(exchange, e.reply);
      HttpIo.send(exchange, e.reply);
    } catch (IOException e) {
      HttpIo.send(exchange, HttpIo.error(400, "cannot read the request: " + e.getMessage()));
    } catch (KubernetesClientException | WorkflowServiceException e) {
      Reply reply =
          HttpIo.error(503, "cannot fire now, nothing was started: " + e.getMessage())
              .withHeader("Retry-After", "5");
      log(exchange, reply);
      HttpIo.send(exchange, reply);
    } catch (RuntimeException e) {
      LOG.warn("webhook {}: {}", exchange.getRequestURI().getPath(), e.toString(), e);
      HttpIo.send(exchange, HttpIo.error(500, "internal error: " + e.getMessage()));
    }
  }

  /** The reply, or null when a sync-mode reply is sent later. */
  private Reply process(HttpExchange exchange) throws Refused, IOException {
    String[] parts = exchange.getRequestURI().getPath().substring(PATH.length()).split("/", -1);
    if (parts.length != 2
        || !NAMESPACE.matcher(parts[0]).matches()
        || !NAME.matcher(parts[1]).matches()) {
      return notFound(exchange);
    }
    String namespace = parts[0];
    String name = parts[1];
    String ref = "ArkEvent " + namespace + "/" + name;
    if (!"POST".equals(exchange.getRequestMethod())) {
      return HttpIo.error(405, "use POST to fire " + ref).withHeader("Allow", "POST");
    }
    JsonNode event = store.event(namespace, name);
    if (event == null || event.path("metadata").hasNonNull("deletionTimestamp")) {
      throw refuse(404, ref + " not found");
    }
    JsonNode spec = event.path("spec");
    String type = spec.path("source").path("type").asText("");
    if (!"webhook".equals(type)) {
      throw refuse(
          404, ref + " is not a webhook: spec.source.type is '" + type + "', POST fires 'webhook'");
    }
    authorize(exchange, store.token(namespace, name), namespace, name);
    if (spec.path("suspended").asBoolean(false)) {
      throw new Refused(
          HttpIo.error(503, ref + " is suspended (spec.suspended: true); set it to false to fire")
              .withHeader("Retry-After", "60"));
    }
    List<Target> targets = TargetInputs.of(spec, ref);
    String policy = spec.path("concurrencyPolicy").asText(ConcurrencyGate.ALLOW);
    if (!ConcurrencyGate.known(policy)) {
      throw refuse(500, ref + ": unknown spec.concurrencyPolicy '" + policy + "'");
    }
    Map<String, String> query = HttpIo.query(exchange.getRequestURI().getRawQuery());
    String mode = query.getOrDefault("mode", "async");
    if (!mode.equals("async") && !mode.equals("sync")) {
      throw refuse(400, "unknown mode '" + mode + "': use mode=sync or mode=async (the default)");
    }
    boolean sync = mode.equals("sync");
    Duration timeout = timeout(query.get("timeout"));
    Map<String, Object> body = parse(HttpIo.readBody(exchange, limits.maxBodyBytes()));
    TargetInputs.check(targets, name, body, ref);

    Fire fire;
    try {
      fire = gate.admit(namespace, name, policy, () -> start(namespace, name, targets, body, sync));
    } catch (ConcurrencyGate.Busy busy) {
      ObjectNode reply =
          HttpIo.error(
                  409,
                  ref
                      + " has concurrencyPolicy Forbid and runs of an earlier fire are still active: "
                      + String.join(", ", busy.activeRuns)
                      + "; retry when they finished")
              .body();
      reply.set("activeRuns", JSON.valueToTree(busy.activeRuns));
      throw new Refused(new Reply(409, reply));
    }
    LOG.info("{} fired by webhook: workflow {}, runs {}", ref, fire.workflowId(), fire.runs());
    if (!sync) {
      ObjectNode reply = JSON.createObjectNode();
      reply.set("runs", JSON.valueToTree(fire.runs()));
      reply.put("workflowId", fire.workflowId());
      return new Reply(202, reply);
    }
    fire.stub()
        .getResultAsync(
            timeout.toMillis(), TimeUnit.MILLISECONDS, EventFireWorkflow.FireResult.class)
        .whenCompleteAsync(
            (result, error) -> {
              Reply reply = syncReplies.reply(namespace, fire, result, error, timeout);
              log(exchange, reply);
              HttpIo.send(exchange, reply);
            },
            executor);
    return null;
  }

  /** A started fire. */
  record Fire(String workflowId, List<String> runs, WorkflowStub stub)
      implements ConcurrencyGate.Fired {}

  private Fire start(
      String namespace, String name, List<Target> targets, Map<String, Object> body, boolean sync) {
    String fireId = FIRE_ID_PREFIX + UUID.randomUUID();
    String workflowId = EventFireWorkflow.workflowId(namespace, name, fireId);
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      runs.add(EventFireWorkflow.runName(targets.get(i).team(), fireId, i));
    }
    Map<String, Object> trigger = new LinkedHashMap<>();
    trigger.put("body", body);
    EventFireWorkflow workflow =
        temporal.newWorkflowStub(
            EventFireWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setStaticSummary("ArkEvent " + namespace + "/" + name + " · webhook")
                .build());
    WorkflowClient.start(
        workflow::fire, new FireRequest(namespace, name, trigger, targets, sync, fireId));
    return new Fire(workflowId, List.copyOf(runs), WorkflowStub.fromTyped(workflow));
  }

  private void authorize(HttpExchange exchange, String token, String namespace, String name)
      throws Refused {
    String secret = namespace + "/" + name + EventStore.TOKEN_SECRET_SUFFIX;
    if (token == null || token.isEmpty()) {
      throw new Refused(
          HttpIo.error(
                  503,
                  "the webhook token Secret "
                      + secret
                      + " (key "
                      + EventStore.TOKEN_KEY
                      + ") does not exist yet; the operator creates it, retry shortly")
              .withHeader("Retry-After", "5"));
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String hint = "; the token is in Secret " + secret + " key " + EventStore.TOKEN_KEY;
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw unauthorized("missing 'Authorization: Bearer <token>' header" + hint);
    }
    if (!sameToken(header.substring(7).strip(), token)) {
      throw unauthorized("wrong bearer token" + hint);
    }
  }

  private static Refused unauthorized(String message) {
    return new Refused(
        HttpIo.error(401, message).withHeader("WWW-Authenticate", "Bearer realm=\"ark\""));
  }

  /** Constant time: both sides are hashed first, so neither content nor length leaks. */
  static boolean sameToken(String given, String expected) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] a = sha.digest(given.getBytes(StandardCharsets.UTF_8));
      byte[] b = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
      return MessageDigest.isEqual(a, b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Duration timeout(String text) throws Refused {
    if (text == null || text.isEmpty()) {
      return limits.defaultSyncTimeout();
    }
    Duration timeout = HttpIo.duration(text);
    if (timeout == null || timeout.isZero()) {
      throw refuse(400, "invalid timeout '" + text + "': use e.g. timeout=60s, 500ms or 5m");
    }
    if (timeout.compareTo(limits.maxSyncTimeout()) > 0) {
      throw refuse(
          400,
          "timeout " + text + " is over the maximum of " + HttpIo.format(limits.maxSyncTimeout()));
    }
    return timeout;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(byte[] body) throws Refused {
    JsonNode tree;
    try {
      tree = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw refuse(400, "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw refuse(400, "cannot read the body: " + e.getMessage());
    }
    if (tree == null || tree.isMissingNode()) {
      throw refuse(400, "the body is empty; send a JSON object, e.g. {\"message\": \"...\"}");
    }
    if (!tree.isObject()) {
      throw refuse(
          400, "the body must be a JSON object, got " + tree.getNodeType().name().toLowerCase());
    }
    return JSON.convertValue(tree, Map.class);
  }

  private static Reply notFound(HttpExchange exchange) {
    return HttpIo.error(
        404,
        "no such endpoint "
            + exchange.getRequestURI().getPath()
            + "; fire an ArkEvent with POST /triggers/<namespace>/<name>");
  }

  private static void log(HttpExchange exchange, Reply reply) {
    if (reply.status() >= 500 && reply.status() != 504) {
      LOG.warn(
          "webhook {} → {}: {}",
          exchange.getRequestURI().getPath(),
          reply.status(),
          reply.body().path("error").asText());
    } else if (reply.status() >= 400) {
      LOG.debug(
          "webhook {} → {}: {}",
          exchange.getRequestURI().getPath(),
          reply.status(),
          reply.body().path("error").asText());
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "ark-webhook-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
