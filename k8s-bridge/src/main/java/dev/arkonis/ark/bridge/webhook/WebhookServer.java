package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.HttpIo.JSON;
import static dev.arkonis.ark.bridge.webhook.HttpIo.refuse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.http.EmbeddedServer;
import dev.arkonis.ark.bridge.http.Exchange;
import dev.arkonis.ark.bridge.http.HttpLimits;
import dev.arkonis.ark.bridge.webhook.HttpIo.Refused;
import dev.arkonis.ark.bridge.webhook.HttpIo.Reply;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireRequest;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.Target;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ArkEvent webhooks: {@code POST /triggers/<namespace>/<name>} (or {@code .../<name>/fire}, the
 * form upstream ark users have) with {@code Authorization: Bearer <token>} and a JSON object body
 * starts one {@link EventFireWorkflow} (one ArkRun per target) and answers 202 with the run names;
 * {@code ?mode=sync&timeout=60s} waits for the runs and answers with their output. Nothing is
 * started on any error. See {@code docs/events.md}.
 *
 * <p>Checks, in order: path (404) and method (405); the caches are synced (503); the ArkEvent
 * exists and has {@code source.type: webhook} (404); its token Secret exists (503); the bearer
 * token, compared in constant time (401); {@code suspended} (503); query parameters (400); body
 * size (413), UTF-8, nesting depth and JSON object (400) and a dry run of the targets' input
 * templates against it (400); {@code concurrencyPolicy} Forbid (409; Forbid and Replace hold across
 * replicas through one workflow id per event, see {@link ConcurrencyGate}). Authentication comes
 * before {@code suspended} so callers without the token learn nothing but whether the event exists.
 *
 * <p>The event and its token come from {@link WebhookCache} (informers of its own, so wrong tokens
 * at volume cost no API call); until it is synced every request gets 503. The transport is an
 * {@link EmbeddedServer} ({@link HttpLimits}: idle and request-head timeouts, bounded threads); the
 * API server or Temporal failing is answered with a generic 503 and logged, never with the
 * exception's text.
 *
 * <p>Wiring: {@code new WebhookServer(WebhookCache.start(client, watchNamespace), temporal, 8081,
 * Limits.DEFAULT)} on every operator replica, closed with the operator.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);

  /** Path prefix of the trigger endpoint. */
  public static final String PATH = "/triggers/";

  /** A namespace (DNS-1123 label) and an object name (DNS-1123 subdomain). */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private static final Pattern NAME =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

  /**
   * Accepted last path segment after the event's name ({@code .../<name>/fire}, upstream's form).
   */
  public static final String FIRE_SUFFIX = "fire";

  /** Prefix of the fire ids of webhook fires. */
  public static final String FIRE_ID_PREFIX = "webhook-";

  /** Deepest accepted nesting of the JSON body (400 deeper). */
  public static final int MAX_JSON_DEPTH = 64;

  private static final ObjectMapper BODY_JSON =
      HttpIo.JSON
          .copy()
          .configure(
              com.fasterxml.jackson.core.JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION, false)
          .configure(
              com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true);

  static {
    BODY_JSON
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build());
  }

  /**
   * @param maxBodyBytes largest accepted request body (413 above)
   * @param http the server's timeouts, threads and connections (sync-mode waits hold no thread)
   * @param defaultSyncTimeout wait of {@code mode=sync} without {@code timeout}
   * @param maxSyncTimeout largest accepted {@code timeout}
   */
  public record Limits(
      long maxBodyBytes, HttpLimits http, Duration defaultSyncTimeout, Duration maxSyncTimeout) {
    public static final Limits DEFAULT =
        new Limits(1024 * 1024, HttpLimits.DEFAULT, Duration.ofSeconds(60), Duration.ofMinutes(10));

    public Limits {
      if (maxBodyBytes <= 0) {
        throw new IllegalArgumentException("maxBodyBytes must be positive");
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
  private final EmbeddedServer server;

  /**
   * @param store the cluster reads and writes, e.g. {@code WebhookCache.start(client,
   *     watchNamespace)}
   * @param port TCP port on all interfaces, 0 = any free port (see {@link #port()})
   */
  public WebhookServer(EventStore store, WorkflowClient temporal, int port, Limits limits) {
    this.store = store;
    this.temporal = temporal;
    this.limits = limits;
    this.gate = new ConcurrencyGate(store, temporal);
    this.syncReplies = new SyncReplies(store);
    this.server =
        EmbeddedServer.builder("webhook", "0.0.0.0", port, limits.http())
            .route(PATH, this::handle)
            .fallback(e -> done(notFound(e)))
            .start();
  }

  /** The port the server listens on. */
  public int port() {
    return server.port();
  }

  /** Path of an event's endpoint: {@code /triggers/<namespace>/<name>}. */
  public static String path(String namespace, String name) {
    return PATH + namespace + "/" + name;
  }

  @Override
  public void close() {
    server.close();
  }

  private CompletionStage<dev.arkonis.ark.bridge.http.Reply> handle(Exchange exchange) {
    try {
      return process(exchange).thenApply(HttpIo::http);
    } catch (Refused e) {
      log(exchange, e.reply);
      return done(e.reply);
    } catch (IOException e) {
      LOG.debug("webhook {}: cannot read the body: {}", exchange.path(), e.toString());
      return done(HttpIo.error(400, "cannot read the request body; send it again"));
    } catch (KubernetesClientException | WorkflowServiceException | ConcurrencyGate.Contended e) {
      return done(unavailable(exchange, e));
    }
  }

  private static CompletionStage<dev.arkonis.ark.bridge.http.Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(HttpIo.http(reply));
  }

  /** 503 for the API server or Temporal failing: logged here, generic for the caller. */
  private static Reply unavailable(Exchange exchange, RuntimeException e) {
    LOG.warn("webhook {} → 503: {}", exchange.path(), e.toString(), e);
    return HttpIo.error(503, "cannot fire now, nothing was started; retry later")
        .withHeader("Retry-After", "5");
  }

  /** The reply, now or when a sync-mode fire finished. */
  private CompletionStage<Reply> process(Exchange exchange) throws Refused, IOException {
    String[] parts = exchange.path().substring(PATH.length()).split("/", -1);
    if (parts.length == 3 && FIRE_SUFFIX.equals(parts[2])) {
      parts = new String[] {parts[0], parts[1]}; // upstream's URL: .../<name>/fire
    }
    if (parts.length != 2
        || !NAMESPACE.matcher(parts[0]).matches()
        || !NAME.matcher(parts[1]).matches()) {
      return CompletableFuture.completedFuture(notFound(exchange));
    }
    String namespace = parts[0];
    String name = parts[1];
    String ref = "ArkEvent " + namespace + "/" + name;
    if (!"POST".equals(exchange.method())) {
      return CompletableFuture.completedFuture(
          HttpIo.error(405, "use POST to fire " + ref).withHeader("Allow", "POST"));
    }
    String notReady = store.notReady();
    if (notReady != null) {
      throw new Refused(
          HttpIo.error(503, "the webhook server is starting (" + notReady + "); retry shortly")
              .withHeader("Retry-After", "5"));
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
    Map<String, String> query = HttpIo.query(exchange.rawQuery());
    String mode = query.getOrDefault("mode", "async");
    if (!mode.equals("async") && !mode.equals("sync")) {
      throw refuse(400, "unknown mode '" + mode + "': use mode=sync or mode=async (the default)");
    }
    boolean sync = mode.equals("sync");
    Duration timeout = timeout(query.get("timeout"));
    Map<String, Object> body;
    try {
      body = parse(exchange.body(limits.maxBodyBytes()));
    } catch (Exchange.TooLarge e) {
      throw new Refused(HttpIo.tooLarge(limits.maxBodyBytes()));
    }
    TargetInputs.check(targets, name, body, ref);

    Fire fire;
    try {
      fire =
          gate.admit(
              namespace,
              name,
              policy,
              exclusiveId -> start(namespace, name, targets, body, sync, exclusiveId));
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
      return CompletableFuture.completedFuture(new Reply(202, reply));
    }
    return fire.stub()
        .getResultAsync(
            timeout.toMillis(), TimeUnit.MILLISECONDS, EventFireWorkflow.FireResult.class)
        .handle(
            (result, error) -> {
              Reply reply = syncReplies.reply(namespace, fire, result, error, timeout);
              log(exchange, reply);
              return reply;
            });
  }

  /** A started fire. */
  record Fire(String workflowId, List<String> runs, WorkflowStub stub)
      implements ConcurrencyGate.Fired {}

  /**
   * Starts the fire workflow. An exclusive fire (Forbid/Replace) runs under the event's fixed id
   * and waits for its runs, so the id stays taken while they are active; its memo names the runs.
   */
  private Fire start(
      String namespace,
      String name,
      List<Target> targets,
      Map<String, Object> body,
      boolean sync,
      String exclusiveId) {
    String fireId = FIRE_ID_PREFIX + UUID.randomUUID();
    boolean exclusive = exclusiveId != null;
    String workflowId =
        exclusive ? exclusiveId : EventFireWorkflow.workflowId(namespace, name, fireId);
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      runs.add(EventFireWorkflow.runName(targets.get(i).team(), fireId, i));
    }
    Map<String, Object> trigger = new LinkedHashMap<>();
    trigger.put("body", body);
    WorkflowOptions.Builder options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(workflowId)
            .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
            .setWorkflowIdReusePolicy(
                exclusive
                    ? WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
                    : WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
            .setStaticSummary("ArkEvent " + namespace + "/" + name + " · webhook");
    if (exclusive) {
      options
          .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
          .setMemo(Map.of(ConcurrencyGate.RUNS_MEMO, runs));
    }
    EventFireWorkflow workflow = temporal.newWorkflowStub(EventFireWorkflow.class, options.build());
    WorkflowClient.start(
        workflow::fire,
        new FireRequest(namespace, name, trigger, targets, sync || exclusive, fireId));
    return new Fire(workflowId, List.copyOf(runs), WorkflowStub.fromTyped(workflow));
  }

  private void authorize(Exchange exchange, String token, String namespace, String name)
      throws Refused {
    String secret =
        namespace
            + "/"
            + name
            + EventStore.TOKEN_SECRET_SUFFIX
            + " (or "
            + name
            + EventStore.TOKEN_ALIAS_SUFFIX
            + ")";
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
    String header = exchange.header("Authorization");
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
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw refuse(400, "the body is not valid UTF-8; send a JSON object encoded in UTF-8");
    }
    JsonNode tree;
    try {
      tree = BODY_JSON.readTree(text);
    } catch (StreamConstraintsException e) {
      if (e.getMessage() != null && e.getMessage().contains("Number value length")) {
        throw refuse(
            400,
            "the body is not valid JSON for ark: a number is longer than 1000 digits; send it as a"
                + " string");
      }
      throw refuse(
          400,
          "the body is nested deeper than "
              + MAX_JSON_DEPTH
              + " levels; send a flatter JSON object");
    } catch (JsonProcessingException e) {
      throw refuse(400, "the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (tree == null || tree.isMissingNode()) {
      throw refuse(400, "the body is empty; send a JSON object, e.g. {\"message\": \"...\"}");
    }
    if (!tree.isObject()) {
      throw refuse(
          400, "the body must be a JSON object, got " + tree.getNodeType().name().toLowerCase());
    }
    String surrogate = HttpIo.loneSurrogate(tree, "");
    if (surrogate != null) {
      throw refuse(
          400,
          "the body holds a lone surrogate escape (\\ud800-\\udfff without its pair) at "
              + surrogate
              + ", which is not valid Unicode; send valid Unicode text");
    }
    return BODY_JSON.convertValue(tree, Map.class);
  }

  private static Reply notFound(Exchange exchange) {
    return HttpIo.error(
        404,
        "no such endpoint "
            + exchange.path()
            + "; fire an ArkEvent with POST /triggers/<namespace>/<name>");
  }

  private static void log(Exchange exchange, Reply reply) {
    if (reply.status() >= 500 && reply.status() != 504) {
      LOG.warn(
          "webhook {} → {}: {}",
          exchange.path(),
          reply.status(),
          reply.body().path("error").asText());
    } else if (reply.status() >= 400) {
      LOG.debug(
          "webhook {} → {}: {}",
          exchange.path(),
          reply.status(),
          reply.body().path("error").asText());
    }
  }
}
