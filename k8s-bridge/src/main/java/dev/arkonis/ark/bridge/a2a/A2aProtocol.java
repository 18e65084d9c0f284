package dev.arkonis.ark.bridge.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.http.EventStream;
import dev.arkonis.ark.bridge.http.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The A2A protocol (version {@value #PROTOCOL_VERSION}, JSON-RPC 2.0 binding) of one ArkService:
 * {@code message/send} (waits for the answer up to {@code blockingWait}, unless {@code
 * configuration.blocking} is false), {@code message/stream} and {@code tasks/resubscribe} (Server-
 * Sent Events: the task, {@code working}, the answer as an artifact, the final status), {@code
 * tasks/get}, {@code tasks/cancel}. Every error is a JSON-RPC error object (HTTP 200), never a
 * stack trace.
 */
public final class A2aProtocol {
  /** The A2A specification version served. */
  public static final String PROTOCOL_VERSION = "0.3.0";

  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;
  static final int TASK_NOT_FOUND = -32001;
  static final int TASK_NOT_CANCELABLE = -32002;
  static final int PUSH_NOT_SUPPORTED = -32003;
  static final int CONTENT_TYPE_NOT_SUPPORTED = -32005;

  /** Largest request body. */
  static final long MAX_BODY = 1 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(A2aProtocol.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final A2aTasks tasks;
  private final Duration blockingWait;
  private final ScheduledExecutorService timers;

  /**
   * @param blockingWait how long a blocking {@code message/send} waits before it answers with the
   *     task still working (the client then polls {@code tasks/get} or resubscribes)
   * @param timers heartbeats of open streams and the blocking wait's deadline
   */
  public A2aProtocol(A2aTasks tasks, Duration blockingWait, ScheduledExecutorService timers) {
    this.tasks = tasks;
    this.blockingWait = blockingWait;
    this.timers = timers;
  }

  /** Answers one JSON-RPC request body. */
  public CompletionStage<Reply> handle(byte[] body) {
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (IOException e) {
      return done(error(null, PARSE_ERROR, "request body is not JSON: " + firstLine(e)));
    }
    if (request == null || !request.isObject()) {
      return done(error(null, INVALID_REQUEST, "a JSON-RPC request must be a JSON object"));
    }
    JsonNode id = request.get("id");
    if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
      return done(error(null, INVALID_REQUEST, "\"id\" must be a string, a number or null"));
    }
    if (!"2.0".equals(request.path("jsonrpc").asText())) {
      return done(error(id, INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\""));
    }
    if (!request.path("method").isTextual()) {
      return done(error(id, INVALID_REQUEST, "\"method\" (a string) is missing"));
    }
    String method = request.path("method").asText();
    JsonNode params = request.path("params");
    try {
      return switch (method) {
        case "message/send" -> send(id, params);
        case "message/stream" -> done(stream(id, start(params)));
        case "tasks/get" -> done(result(id, taskJson(find(params), historyLength(params))));
        case "tasks/cancel" -> done(result(id, taskJson(tasks.cancel(taskId(params)), -1)));
        case "tasks/resubscribe" -> done(stream(id, find(params)));
        case "tasks/pushNotificationConfig/set",
            "tasks/pushNotificationConfig/get",
            "tasks/pushNotificationConfig/list",
            "tasks/pushNotificationConfig/delete" ->
            done(
                error(
                    id,
                    PUSH_NOT_SUPPORTED,
                    "push notifications are not supported; use message/stream or tasks/get"));
        default ->
            done(
                error(
                    id,
                    METHOD_NOT_FOUND,
                    "unknown method \""
                        + method
                        + "\"; supported: message/send, message/stream, tasks/get, tasks/cancel,"
                        + " tasks/resubscribe"));
      };
    } catch (A2aTasks.Refused e) {
      return done(error(id, e.code(), e.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn("A2A {}: {}", method, e.toString(), e);
      return done(error(id, INTERNAL_ERROR, "internal error; see the operator's log"));
    }
  }

  private CompletionStage<Reply> send(JsonNode id, JsonNode params) throws A2aTasks.Refused {
    A2aTasks.Task task = start(params);
    int history = historyLength(params);
    if (params.path("configuration").path("blocking").isBoolean()
        && !params.path("configuration").path("blocking").asBoolean()) {
      return done(result(id, taskJson(task, history)));
    }
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    ScheduledFuture<?> deadline =
        timers.schedule(
            () -> reply.complete(Reply.json(200, result(id, taskJson(current(task), history)))),
            blockingWait.toMillis(),
            TimeUnit.MILLISECONDS);
    tasks
        .done(task.id())
        .whenComplete(
            (finished, failure) -> {
              deadline.cancel(false);
              reply.complete(
                  Reply.json(
                      200,
                      result(id, taskJson(finished != null ? finished : current(task), history))));
            });
    return reply;
  }

  private A2aTasks.Task current(A2aTasks.Task task) {
    return tasks.get(task.id()).orElse(task);
  }

  /** The message's text: text parts joined, data parts as JSON; files are refused. */
  private A2aTasks.Task start(JsonNode params) throws A2aTasks.Refused {
    if (!params.isObject()) {
      throw new A2aTasks.Refused(INVALID_PARAMS, "\"params\" must be an object with a \"message\"");
    }
    JsonNode message = params.path("message");
    if (!message.isObject()) {
      throw new A2aTasks.Refused(INVALID_PARAMS, "params.message is missing (an A2A Message)");
    }
    if (!message.path("parts").isArray() || message.path("parts").isEmpty()) {
      throw new A2aTasks.Refused(
          INVALID_PARAMS, "params.message.parts must be a non-empty list of parts");
    }
    StringBuilder text = new StringBuilder();
    int i = 0;
    for (JsonNode part : message.path("parts")) {
      String kind = part.path("kind").asText(part.has("text") ? "text" : "");
      String piece =
          switch (kind) {
            case "text" -> part.path("text").asText();
            case "data" -> part.path("data").toString();
            case "file" ->
                throw new A2aTasks.Refused(
                    CONTENT_TYPE_NOT_SUPPORTED,
                    "params.message.parts["
                        + i
                        + "]: file parts are not supported; send text (or data) parts");
            default ->
                throw new A2aTasks.Refused(
                    INVALID_PARAMS,
                    "params.message.parts[" + i + "].kind must be text, data or file");
          };
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(piece);
      i++;
    }
    if (text.toString().isBlank()) {
      throw new A2aTasks.Refused(INVALID_PARAMS, "params.message has no text");
    }
    if (message.hasNonNull("taskId")) {
      String taskId = message.path("taskId").asText();
      Optional<A2aTasks.Task> existing = tasks.get(taskId);
      if (existing.isEmpty()) {
        throw new A2aTasks.Refused(TASK_NOT_FOUND, "task " + taskId + " not found");
      }
      throw new A2aTasks.Refused(
          INVALID_PARAMS,
          "task "
              + taskId
              + " is "
              + existing.get().state()
              + " and takes no further messages; send a new message without taskId (same"
              + " contextId to continue the conversation)");
    }
    String contextId =
        message.hasNonNull("contextId")
            ? message.path("contextId").asText()
            : UUID.randomUUID().toString();
    return tasks.start(text.toString(), contextId);
  }

  private A2aTasks.Task find(JsonNode params) throws A2aTasks.Refused {
    String id = taskId(params);
    return tasks
        .get(id)
        .orElseThrow(() -> new A2aTasks.Refused(TASK_NOT_FOUND, "task " + id + " not found"));
  }

  private static String taskId(JsonNode params) throws A2aTasks.Refused {
    if (!params.path("id").isTextual() || params.path("id").asText().isBlank()) {
      throw new A2aTasks.Refused(INVALID_PARAMS, "params.id (the task id) is missing");
    }
    return params.path("id").asText();
  }

  private static int historyLength(JsonNode params) {
    JsonNode n = params.path("historyLength");
    if (n.isMissingNode()) {
      n = params.path("configuration").path("historyLength");
    }
    return n.canConvertToInt() ? n.asInt() : -1;
  }

  /** The stream: the task, then its status and answer as they come, then the final status. */
  private Reply stream(JsonNode id, A2aTasks.Task task) {
    return Reply.stream(
        events -> {
          events.send(null, result(id, taskJson(task, -1)).toString());
          if (task.terminal()) {
            finish(events, id, task);
            return;
          }
          events.send(null, result(id, statusUpdate(task, false)).toString());
          ScheduledFuture<?> heartbeat =
              timers.scheduleAtFixedRate(() -> events.comment("working"), 10, 10, TimeUnit.SECONDS);
          events.onClose(() -> heartbeat.cancel(false));
          tasks
              .done(task.id())
              .whenComplete(
                  (finished, failure) -> {
                    heartbeat.cancel(false);
                    finish(events, id, finished != null ? finished : current(task));
                  });
        });
  }

  private void finish(EventStream events, JsonNode id, A2aTasks.Task task) {
    if (task.output() != null) {
      ObjectNode artifact = JSON.createObjectNode();
      artifact.put("kind", "artifact-update");
      artifact.put("taskId", task.id());
      artifact.put("contextId", task.contextId());
      artifact.set("artifact", artifact(task));
      artifact.put("append", false);
      artifact.put("lastChunk", true);
      events.send(null, result(id, artifact).toString());
    }
    events.send(null, result(id, statusUpdate(task, task.terminal())).toString());
    events.close();
  }

  private static ObjectNode statusUpdate(A2aTasks.Task task, boolean last) {
    ObjectNode update = JSON.createObjectNode();
    update.put("kind", "status-update");
    update.put("taskId", task.id());
    update.put("contextId", task.contextId());
    update.set("status", status(task));
    update.put("final", last);
    return update;
  }

  /** A2A {@code Task} JSON; {@code historyLength} < 0: the whole history. */
  static ObjectNode taskJson(A2aTasks.Task task, int historyLength) {
    ObjectNode json = JSON.createObjectNode();
    json.put("kind", "task");
    json.put("id", task.id());
    json.put("contextId", task.contextId());
    json.set("status", status(task));
    ArrayNode artifacts = json.putArray("artifacts");
    if (task.output() != null) {
      artifacts.add(artifact(task));
    }
    ArrayNode history = JSON.createArrayNode();
    history.add(message(task, "user", task.input(), "-in"));
    if (task.output() != null) {
      history.add(message(task, "agent", task.output(), "-out"));
    }
    int keep = historyLength < 0 ? history.size() : Math.min(historyLength, history.size());
    ArrayNode kept = json.putArray("history");
    for (int i = history.size() - keep; i < history.size(); i++) {
      kept.add(history.get(i));
    }
    json.putObject("metadata").put("arkAgent", task.agent());
    return json;
  }

  private static ObjectNode status(A2aTasks.Task task) {
    ObjectNode status = JSON.createObjectNode();
    status.put("state", task.state());
    if (task.message() != null) {
      status.set("message", message(task, "agent", task.message(), "-status"));
    }
    if (task.timestamp() != null) {
      status.put("timestamp", task.timestamp());
    }
    return status;
  }

  private static ObjectNode artifact(A2aTasks.Task task) {
    ObjectNode artifact = JSON.createObjectNode();
    artifact.put("artifactId", task.id() + "-answer");
    artifact.put("name", "answer");
    artifact.putArray("parts").addObject().put("kind", "text").put("text", task.output());
    return artifact;
  }

  private static ObjectNode message(A2aTasks.Task task, String role, String text, String suffix) {
    ObjectNode message = JSON.createObjectNode();
    message.put("kind", "message");
    message.put("messageId", task.id() + suffix);
    message.put("role", role);
    message.putArray("parts").addObject().put("kind", "text").put("text", text == null ? "" : text);
    message.put("taskId", task.id());
    message.put("contextId", task.contextId());
    return message;
  }

  static ObjectNode result(JsonNode id, JsonNode result) {
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id == null ? JSON.nullNode() : id);
    response.set("result", result);
    return response;
  }

  static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id == null ? JSON.nullNode() : id);
    response.putObject("error").put("code", code).put("message", message);
    return response;
  }

  private static CompletionStage<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private static CompletionStage<Reply> done(ObjectNode response) {
    return done(Reply.json(200, response));
  }

  private static String firstLine(IOException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
