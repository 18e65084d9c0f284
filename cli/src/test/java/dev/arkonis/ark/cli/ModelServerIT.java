package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark run} against a real OpenAI-compatible model server (llama-server with SmolLM2-135M,
 * started by {@code scripts/test}; base URL in {@code ARK_TEST_MODEL_URL}). The run talks to the
 * server through a recording proxy in this test, which sees every request and answer as sent on the
 * wire (and can delay answers). Asserts structure, never the model's wording.
 */
class ModelServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static String modelUrl;

  private final HttpClient upstream =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private volatile long delayMillis;
  private HttpServer proxy;

  /** One request and the server's answer (status and parsed body). */
  record Exchange(JsonNode request, int status, JsonNode response) {}

  @BeforeAll
  static void server() {
    modelUrl = System.getenv("ARK_TEST_MODEL_URL");
    if (modelUrl == null || modelUrl.isBlank()) {
      fail(
          "ARK_TEST_MODEL_URL is not set: run the tests with scripts/test, which starts the model"
              + " server (or start one with 'scripts/model-server up' and export"
              + " ARK_TEST_MODEL_URL=<the URL it prints>)");
    }
    modelUrl = modelUrl.replaceAll("/+$", "");
  }

  @BeforeEach
  void startProxy() throws IOException {
    proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    proxy.setExecutor(Executors.newCachedThreadPool());
    proxy.createContext("/v1/", this::forward);
    proxy.start();
  }

  @AfterEach
  void stopProxy() {
    proxy.stop(0);
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      JsonNode request = JSON.readTree(body);
      requests.add(request);
      String path = exchange.getRequestURI().getPath().substring("/v1".length());
      HttpResponse<byte[]> answer;
      try {
        answer =
            upstream.send(
                HttpRequest.newBuilder(URI.create(modelUrl + path))
                    .timeout(Duration.ofMinutes(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      exchanges.add(new Exchange(request, answer.statusCode(), JSON.readTree(answer.body())));
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client gave up (a timeout test): nothing to answer
    }
  }

  private String proxyUrl() {
    return "http://127.0.0.1:" + proxy.getAddress().getPort() + "/v1";
  }

  /** {@code ark run FILE --provider openai -o json ARGS} in its own JVM, through the proxy. */
  private JsonNode arkRun(Path dir, String team, String... args) throws Exception {
    Path file = dir.resolve("team.yaml");
    Files.writeString(file, team);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.arkonis.ark.cli.Main");
    command.addAll(List.of("run", file.toString(), "--provider", "openai", "-o", "json"));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.json");
    Path err = dir.resolve("err.txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().remove("OPENAI_API_KEY");
    builder.environment().put("OPENAI_BASE_URL", proxyUrl());
    Process process = builder.start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail("ark run did not finish in 10 minutes; stderr: " + Files.readString(err));
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(stderr).as("stderr of ark run").doesNotContain("\tat ", "Exception");
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(stdout).as("stdout (stderr: %s)", stderr).isNotBlank();
    return JSON.readTree(stdout).path("status");
  }

  private static JsonNode step(JsonNode status, String name) {
    for (JsonNode s : status.path("steps")) {
      if (s.path("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no step " + name + " in " + status);
  }

  private static final String SCHEMA_TEAM =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata:
        name: tiny-blog
      spec:
        inputs:
          - name: topic
        roles:
          - name: planner
            model: smollm2
            systemPrompt: You plan short blog posts.
            limits:
              maxTokensPerCall: 48
              timeoutSeconds: 180
          - name: writer
            model: smollm2
            systemPrompt: You write blog posts.
            limits:
              maxTokensPerCall: 12
              timeoutSeconds: 180
        pipeline:
          - name: plan
            role: planner
            inputs:
              prompt: "Give a title for a blog post about {{ .input.topic }}."
            outputSchema: |
              {"type": "object", "required": ["title"],
               "properties": {"title": {"type": "string", "maxLength": 40}}}
          - name: write
            role: writer
            dependsOn: [plan]
            inputs:
              prompt: "Write a long blog post titled {{ .steps.plan.data.title }}."
      """;

  @Test
  void schemaPipelineSucceedsWithJsonSchemaSentAndTokensAsTheServerCounted(@TempDir Path dir)
      throws Exception {
    JsonNode status = arkRun(dir, SCHEMA_TEAM, "--input", "{\"topic\": \"gardening\"}");

    assertThat(status.path("phase").asText()).as("status: %s", status).isEqualTo("Succeeded");
    JsonNode plan = step(status, "plan");
    assertThat(plan.path("attempts").asInt()).isEqualTo(1);

    // the schema step's request carried the schema as a json_schema response format
    JsonNode planRequest = exchanges.get(0).request();
    JsonNode format = planRequest.path("response_format");
    assertThat(format.path("type").asText())
        .as("request: %s", planRequest)
        .isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("schema").path("required").get(0).asText())
        .isEqualTo("title");
    JsonNode planAnswer = JSON.readTree(content(exchanges.get(0).response()));
    assertThat(planAnswer.path("title").isTextual()).as("answer %s", planAnswer).isTrue();
    // the plain step asked for no schema
    assertThat(exchanges.get(1).request().path("response_format").path("type").asText())
        .isNotEqualTo("json_schema");

    // run tokens = the usage the server reported, summed over every answer it sent
    long prompt = 0;
    long completion = 0;
    for (Exchange e : exchanges) {
      assertThat(e.status()).isEqualTo(200);
      prompt += e.response().path("usage").path("prompt_tokens").asLong();
      completion += e.response().path("usage").path("completion_tokens").asLong();
    }
    assertThat(prompt).isPositive();
    JsonNode tokens = status.path("totalTokenUsage");
    assertThat(tokens.path("inputTokens").asLong()).as("status %s", status).isEqualTo(prompt);
    assertThat(tokens.path("outputTokens").asLong()).isEqualTo(completion);

    // an answer stopped at maxTokensPerCall says so on its step
    JsonNode write = step(status, "write");
    String finish =
        exchanges.get(1).response().path("choices").get(0).path("finish_reason").asText();
    if (finish.equals("length")) {
      assertThat(write.path("message").asText())
          .contains("cut off at the token limit", "maxTokensPerCall 12");
    } else {
      assertThat(write.path("message").asText()).doesNotContain("cut off");
    }
  }

  private static String content(JsonNode response) {
    return response.path("choices").get(0).path("message").path("content").asText();
  }

  private static final String ONE_STEP_TEAM =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata:
        name: one-step
      spec:
        inputs:
          - name: text
        roles:
          - name: reader
            model: smollm2
            systemPrompt: You summarise.
            limits:
              maxTokensPerCall: 8
              timeoutSeconds: %d
        pipeline:
          - role: reader
            inputs:
              prompt: "Summarise: {{ .input.text }}"
      """;

  @Test
  void aPromptLargerThanTheContextFailsTheStepAtOnceWithTheServersReason(@TempDir Path dir)
      throws Exception {
    StringBuilder huge = new StringBuilder();
    for (int i = 0; huge.length() < 60_000; i++) {
      huge.append("word").append(i).append(' ');
    }
    Path input = dir.resolve("input.json");
    Files.writeString(input, JSON.writeValueAsString(java.util.Map.of("text", huge.toString())));

    JsonNode status = arkRun(dir, ONE_STEP_TEAM.formatted(120), "--input", Files.readString(input));

    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(requests).as("a 4xx is not retried").hasSize(1);
    assertThat(exchanges.get(0).status()).isEqualTo(400);
    JsonNode reader = step(status, "reader");
    assertThat(reader.path("phase").asText()).isEqualTo("Failed");
    assertThat(reader.path("attempts").asInt()).isEqualTo(1);
    String reason = exchanges.get(0).response().path("error").path("message").asText();
    assertThat(reason).isNotBlank();
    assertThat(status.path("message").asText())
        .contains("step reader", "rejected the request", "(400)", reason);
  }

  @Test
  void aCallSlowerThanTheTimeoutIsRetriedThenFailsClearly(@TempDir Path dir) throws Exception {
    delayMillis = 3_000;

    JsonNode status = arkRun(dir, ONE_STEP_TEAM.formatted(1), "hello there");

    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(requests).as("three attempts (the default retries)").hasSize(3);
    JsonNode reader = step(status, "reader");
    assertThat(reader.path("attempts").asInt()).isEqualTo(3);
    assertThat(status.path("message").asText())
        .contains(
            "step reader", "timed out after 1s on each of 3 attempts", "limits.timeoutSeconds");
  }
}
