package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible model server the fault suite controls: {@code POST /v1/chat/completions}.
 * Each call is attributed to a run and step by the marker {@code [<tag>/<step>]} the team's prompt
 * templates put in the task; a script per (tag, step) says what the n-th call gets (an answer, an
 * HTTP status such as 429 or 500, an answer after a delay, or a hold until the test releases it).
 * It counts calls and answers per (tag, step), so a test can tell that no succeeded step ran twice.
 * Calls without the expected bearer key get 401.
 */
final class ModelFixture implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern MARKER = Pattern.compile("\\[([a-z0-9-]+)/([a-z0-9-]+)\\]");

  /** What one call gets. */
  sealed interface Reply {}

  /** 200 with a short answer. */
  record Answer() implements Reply {}

  /** An error status with an OpenAI-style error body. */
  record Status(int code) implements Reply {}

  /**
   * Nothing for {@code delay} (longer than the agent's timeout: the client gives up), then a 503
   * nobody reads; never counted as an answer.
   */
  record Silent(Duration delay) implements Reply {}

  /**
   * Blocks until {@link Hold#release()}, then answers 200 ({@code answer}) or 503 (for a caller
   * that is gone: a killed worker's call is not an answer).
   */
  static final class Hold implements Reply {
    final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final boolean answer;

    Hold(boolean answer) {
      this.answer = answer;
    }

    void release() {
      released.countDown();
    }

    boolean awaitArrival(Duration timeout) throws InterruptedException {
      return arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  static final Reply ANSWER = new Answer();

  private final HttpServer server;
  private final String apiKey;
  private final Duration clientTimeout;
  private final Map<String, List<Reply>> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
  private final List<String> systemPrompts =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger unauthorized = new AtomicInteger();
  private final List<Hold> holds = java.util.Collections.synchronizedList(new ArrayList<>());

  /**
   * @param apiKey the bearer key every call must carry
   * @param clientTimeout the agents' call timeout: a 200 written later than this after the request
   *     arrived reached nobody and is not counted as an answer
   */
  ModelFixture(String apiKey, Duration clientTimeout) throws IOException {
    this.apiKey = apiKey;
    this.clientTimeout = clientTimeout;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  /** Base URL for {@code OPENAI_BASE_URL}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** The replies of the first calls of (tag, step); calls past the script get an answer. */
  void script(String tag, String step, Reply... replies) {
    scripts.put(tag + "/" + step, List.of(replies));
  }

  int calls(String tag, String step) {
    return calls.getOrDefault(tag + "/" + step, new AtomicInteger()).get();
  }

  /** Calls of (tag, step) that got a 200 answer. */
  int answers(String tag, String step) {
    return answers.getOrDefault(tag + "/" + step, new AtomicInteger()).get();
  }

  int unauthorized() {
    return unauthorized.get();
  }

  List<String> systemPrompts() {
    synchronized (systemPrompts) {
      return List.copyOf(systemPrompts);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    long arrived = System.nanoTime();
    try (exchange) {
      JsonNode request = JSON.readTree(exchange.getRequestBody());
      if (!("Bearer " + apiKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        unauthorized.incrementAndGet();
        send(exchange, 401, error("invalid api key", "invalid_request_error"));
        return;
      }
      String task = "";
      for (JsonNode message : request.path("messages")) {
        String role = message.path("role").asText();
        String content = message.path("content").asText("");
        if (role.equals("system")) {
          systemPrompts.add(content);
        } else if (role.equals("user") && MARKER.matcher(content).find()) {
          task = content;
        }
      }
      Matcher marker = MARKER.matcher(task);
      String key = marker.find() ? marker.group(1) + "/" + marker.group(2) : "unmarked/unmarked";
      int n = calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      List<Reply> script = scripts.getOrDefault(key, List.of());
      Reply reply = n <= script.size() ? script.get(n - 1) : ANSWER;
      if (reply instanceof Status s) {
        send(exchange, s.code(), error("injected " + s.code(), "server_error"));
      } else if (reply instanceof Hold h) {
        holds.add(h);
        h.arrived.countDown();
        h.released.await();
        if (h.answer) {
          answer(exchange, key, n, arrived);
        } else {
          send(exchange, 503, error("held call released", "server_error"));
        }
      } else if (reply instanceof Silent s) {
        Thread.sleep(s.delay().toMillis());
        send(exchange, 503, error("too late", "server_error"));
      } else {
        answer(exchange, key, n, arrived);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the caller went away (a killed worker, a timed-out call)
    }
  }

  private void answer(HttpExchange exchange, String key, int n, long arrived) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("id", "chatcmpl-" + key.replace('/', '-') + "-" + n);
    body.put("object", "chat.completion");
    body.put("created", System.currentTimeMillis() / 1000);
    body.put("model", "fixture");
    ObjectNode choice = body.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", "Answer " + n + ".");
    choice.put("finish_reason", "stop");
    body.putObject("usage")
        .put("prompt_tokens", 20)
        .put("completion_tokens", 5)
        .put("total_tokens", 25);
    send(exchange, 200, body);
    if (System.nanoTime() - arrived > clientTimeout.toNanos()) {
      return; // the caller had given up
    }
    answers.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  private static ObjectNode error(String message, String type) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("message", message).put("type", type);
    return body;
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    synchronized (holds) {
      holds.forEach(Hold::release);
    }
    server.stop(0);
  }
}
