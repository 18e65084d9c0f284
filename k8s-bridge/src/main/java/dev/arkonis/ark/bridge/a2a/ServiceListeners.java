package dev.arkonis.ark.bridge.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.http.EmbeddedServer;
import dev.arkonis.ark.bridge.http.Exchange;
import dev.arkonis.ark.bridge.http.HttpLimits;
import dev.arkonis.ark.bridge.http.Reply;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP listeners of one ArkService in this process, one {@link EmbeddedServer} per {@code
 * spec.ports[]} entry: {@code A2A} serves the agent card and the JSON-RPC endpoint ({@link
 * A2aProtocol}) at {@code /}; {@code HTTP} serves a plain JSON task endpoint ({@code POST /tasks}
 * with {@code {"message": "..."}}, {@code GET /tasks/<id>}, {@code POST /tasks/<id>/cancel}) on the
 * same tasks.
 */
final class ServiceListeners implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One listener: the protocol it serves and its server. */
  record Listener(String protocol, EmbeddedServer server) {}

  private final String label;
  private final A2aTasks tasks;
  private final A2aProtocol protocol;
  private final Duration blockingWait;
  private final ScheduledExecutorService timers;
  private final Map<Integer, Listener> listeners = new LinkedHashMap<>();
  private final AtomicReference<Map<Integer, ObjectNode>> cards = new AtomicReference<>(Map.of());

  ServiceListeners(
      String label, A2aTasks tasks, Duration blockingWait, ScheduledExecutorService timers) {
    this.label = label;
    this.tasks = tasks;
    this.blockingWait = blockingWait;
    this.timers = timers;
    this.protocol = new A2aProtocol(tasks, blockingWait, timers);
  }

  /**
   * Opens a listener for each wanted port that has none (or whose protocol changed) and closes the
   * others.
   *
   * @param wanted spec port → protocol ({@code A2A} or {@code HTTP})
   * @param host address to bind
   * @param fixedPorts bind the spec port itself (true) or any free port (false)
   * @return spec port → the port this process listens on
   */
  synchronized Map<Integer, Integer> sync(
      Map<Integer, String> wanted, String host, boolean fixedPorts) {
    listeners
        .entrySet()
        .removeIf(
            e -> {
              boolean keep = e.getValue().protocol().equals(wanted.get(e.getKey()));
              if (!keep) {
                e.getValue().server().close();
              }
              return !keep;
            });
    Map<Integer, Integer> bound = new LinkedHashMap<>();
    for (Map.Entry<Integer, String> port : wanted.entrySet()) {
      Listener listener = listeners.get(port.getKey());
      if (listener == null) {
        int specPort = port.getKey();
        EmbeddedServer.Builder builder =
            EmbeddedServer.builder(
                "a2a-" + label + "-" + specPort,
                host,
                fixedPorts ? specPort : 0,
                HttpLimits.DEFAULT);
        if ("A2A".equals(port.getValue())) {
          builder
              .route("/.well-known/agent-card.json", exchange -> card(exchange, specPort))
              .route("/.well-known/agent.json", exchange -> card(exchange, specPort))
              .route("/", this::jsonRpc);
        } else {
          builder.route("/tasks", this::postTask).route("/tasks/", this::taskPath);
        }
        listener = new Listener(port.getValue(), builder.start());
        listeners.put(specPort, listener);
      }
      bound.put(port.getKey(), listener.server().port());
    }
    return bound;
  }

  /** The agent cards to serve, per spec port. */
  void cards(Map<Integer, ObjectNode> cards) {
    this.cards.set(Map.copyOf(cards));
  }

  private CompletionStage<Reply> card(Exchange exchange, int specPort) {
    if (!"GET".equals(exchange.method())) {
      return done(Reply.error(405, "GET the agent card"));
    }
    ObjectNode card = cards.get().get(specPort);
    return done(
        card == null ? Reply.error(503, "the service is starting; retry") : Reply.json(200, card));
  }

  private CompletionStage<Reply> jsonRpc(Exchange exchange) throws IOException {
    if (!exchange.path().equals("/")) {
      return done(Reply.error(404, "no such endpoint " + exchange.path() + "; POST JSON-RPC to /"));
    }
    if (!"POST".equals(exchange.method())) {
      return done(
          Reply.error(
              405,
              "POST a JSON-RPC 2.0 request to /; the agent card is /.well-known/agent-card.json"));
    }
    byte[] body;
    try {
      body = exchange.body(A2aProtocol.MAX_BODY);
    } catch (Exchange.TooLarge e) {
      return done(Reply.error(413, "request body over " + A2aProtocol.MAX_BODY + " bytes"));
    }
    return protocol.handle(body);
  }

  /** {@code POST /tasks} {"message": "..."}: runs a task and answers when it ends. */
  private CompletionStage<Reply> postTask(Exchange exchange) throws IOException {
    if (!"POST".equals(exchange.method())) {
      return done(Reply.error(405, "POST {\"message\": \"...\"} to /tasks"));
    }
    JsonNode request;
    try {
      request = JSON.readTree(exchange.body(A2aProtocol.MAX_BODY));
    } catch (Exchange.TooLarge e) {
      return done(Reply.error(413, "request body over " + A2aProtocol.MAX_BODY + " bytes"));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return done(Reply.error(400, "the body is not JSON; send {\"message\": \"...\"}"));
    }
    if (request == null
        || !request.path("message").isTextual()
        || request.path("message").asText().isBlank()) {
      return done(Reply.error(400, "field \"message\" (a non-empty string) is missing"));
    }
    A2aTasks.Task task;
    try {
      task = tasks.start(request.path("message").asText(), java.util.UUID.randomUUID().toString());
    } catch (A2aTasks.Refused e) {
      return done(Reply.error(503, e.getMessage()));
    }
    if (request.path("wait").isBoolean() && !request.path("wait").asBoolean()) {
      return done(Reply.json(202, plain(task)));
    }
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    var deadline =
        timers.schedule(
            () -> reply.complete(Reply.json(202, plain(tasks.get(task.id()).orElse(task)))),
            blockingWait.toMillis(),
            TimeUnit.MILLISECONDS);
    tasks
        .done(task.id())
        .whenComplete(
            (finished, failure) -> {
              deadline.cancel(false);
              reply.complete(Reply.json(200, plain(finished != null ? finished : task)));
            });
    return reply;
  }

  /** {@code GET /tasks/<id>}, {@code POST /tasks/<id>/cancel}. */
  private CompletionStage<Reply> taskPath(Exchange exchange) {
    String rest = exchange.path().substring("/tasks/".length());
    boolean cancel = rest.endsWith("/cancel");
    String id = cancel ? rest.substring(0, rest.length() - "/cancel".length()) : rest;
    if (cancel && "POST".equals(exchange.method())) {
      try {
        return done(Reply.json(200, plain(tasks.cancel(id))));
      } catch (A2aTasks.Refused e) {
        return done(
            Reply.error(e.code() == A2aProtocol.TASK_NOT_FOUND ? 404 : 409, e.getMessage()));
      }
    }
    if (!cancel && "GET".equals(exchange.method())) {
      return done(
          tasks
              .get(id)
              .map(t -> Reply.json(200, plain(t)))
              .orElse(Reply.error(404, "task " + id + " not found")));
    }
    return done(Reply.error(405, "GET /tasks/<id> or POST /tasks/<id>/cancel"));
  }

  private static ObjectNode plain(A2aTasks.Task task) {
    ObjectNode json = JSON.createObjectNode();
    json.put("id", task.id());
    json.put("state", task.state());
    json.put("agent", task.agent());
    if (task.output() != null) {
      json.put("output", task.output());
    }
    if (task.message() != null) {
      json.put("message", task.message());
    }
    return json;
  }

  private static CompletionStage<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  @Override
  public synchronized void close() {
    listeners.values().forEach(l -> l.server().close());
    listeners.clear();
  }
}
