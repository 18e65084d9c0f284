package dev.arkonis.ark.activities.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tool server in upstream ark's simple HTTP convention (no MCP session): {@code GET {url}/health}
 * answers 2xx, {@code POST {url}/tools/list} answers {@code {"tools":[{name, description,
 * inputSchema}]}}, {@code POST {url}/tools/call} with {@code {"name", "arguments"}} answers {@code
 * {"content":[{"type":"text","text":…}]}} (optionally {@code "isError": true}).
 *
 * <p>A 4xx answer to a call is the tool's error, shown to the model ({@code {"error": …}} or the
 * body's text); a 5xx answer, a body that is not the convention's JSON, a refused connection or a
 * timeout is an {@link IOException}: the server is unavailable and the activity retries. The
 * server's headers go with every request.
 */
final class UpstreamHttpClient implements ToolServerClient {
  /** The transport name ({@code mcpServers[].transport: http}). */
  static final String TRANSPORT = "http";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMPTY_OBJECT_SCHEMA = "{\"type\":\"object\",\"properties\":{}}";
  private static final int MAX_ERROR_TEXT = 2_000;

  private final String base;
  private final Map<String, String> headers;
  private final HttpClient http;
  private final Duration requestTimeout;
  private volatile Duration timeout; // the connect timeout while opening, then the request's
  private volatile List<ServerTool> cached;

  private UpstreamHttpClient(String url, Map<String, String> headers, McpTimeouts timeouts) {
    String u = url.strip();
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    this.base = u;
    this.headers = Map.copyOf(headers);
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeouts.connect())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    this.requestTimeout = timeouts.request();
    this.timeout = timeouts.connect();
  }

  /**
   * A client of the server at {@code url}, after checking that it speaks the convention: {@code GET
   * /health} answers 2xx and {@code POST /tools/list} answers the tool list, each within the
   * connect timeout.
   *
   * @throws IOException when it does not (the message says which request failed and how)
   */
  static UpstreamHttpClient open(String url, Map<String, String> headers, McpTimeouts timeouts)
      throws IOException, InterruptedException {
    UpstreamHttpClient client = new UpstreamHttpClient(url, headers, timeouts);
    client.checkHealth();
    client.listTools(true);
    client.timeout = client.requestTimeout;
    return client;
  }

  /**
   * {@code GET {url}/health}.
   *
   * @throws IOException when it does not answer 2xx
   */
  void checkHealth() throws IOException, InterruptedException {
    HttpResponse<String> response = send(request("/health").GET().build());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "GET " + base + "/health answered HTTP " + response.statusCode() + excerpt(response));
    }
  }

  @Override
  public List<ServerTool> listTools(boolean fresh) throws IOException, InterruptedException {
    List<ServerTool> tools = cached;
    if (tools != null && !fresh) {
      return tools;
    }
    HttpResponse<String> response = send(post("/tools/list", "{}"));
    String where = "POST " + base + "/tools/list";
    if (response.statusCode() / 100 != 2) {
      throw new IOException(where + " answered HTTP " + response.statusCode() + excerpt(response));
    }
    JsonNode list = json(response.body(), where).path("tools");
    if (!list.isArray()) {
      throw new IOException(where + " answered no \"tools\" array");
    }
    List<ServerTool> read = new ArrayList<>();
    for (JsonNode tool : list) {
      String name = tool.path("name").asText("").strip();
      if (name.isEmpty()) {
        throw new IOException(where + " listed a tool without a name");
      }
      JsonNode schema = tool.path("inputSchema");
      read.add(
          new ServerTool(
              name,
              tool.path("description").asText(""),
              schema.isObject() ? schema.toString() : EMPTY_OBJECT_SCHEMA));
    }
    cached = List.copyOf(read);
    return cached;
  }

  @Override
  public ToolResult call(String tool, String arguments) throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    body.put("name", tool);
    body.set("arguments", json(arguments, "the arguments"));
    HttpResponse<String> response = send(post("/tools/call", body.toString()));
    int status = response.statusCode();
    String where = "POST " + base + "/tools/call";
    if (status >= 400 && status < 500) {
      return new ToolResult(errorText(status, response.body()), true);
    }
    if (status / 100 != 2) {
      throw new IOException(where + " answered HTTP " + status + excerpt(response));
    }
    JsonNode answer = json(response.body(), where);
    JsonNode content = answer.path("content");
    if (!content.isArray()) {
      throw new IOException(where + " answered no \"content\" array");
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if (!"text".equals(part.path("type").asText("text"))) {
        return new ToolResult(
            "the tool answered with content other than text (type "
                + part.path("type").asText()
                + ")",
            true);
      }
      text.append(text.length() > 0 ? "\n" : "").append(part.path("text").asText(""));
    }
    return new ToolResult(text.toString(), answer.path("isError").asBoolean(false));
  }

  /** The message of a 4xx answer: its {@code error} (text or {@code message}), else its body. */
  private static String errorText(int status, String body) {
    String detail = body == null ? "" : body.strip();
    try {
      JsonNode error = JSON.readTree(detail).path("error");
      if (error.isTextual()) {
        detail = error.asText();
      } else if (error.path("message").isTextual()) {
        detail = error.path("message").asText();
      } else if (!error.isMissingNode() && !error.isNull()) {
        detail = error.toString();
      }
    } catch (JsonProcessingException e) {
      // not JSON: the body's text is the message
    }
    if (detail.length() > MAX_ERROR_TEXT) {
      detail = detail.substring(0, MAX_ERROR_TEXT) + "…";
    }
    return "the tool refused the call (HTTP "
        + status
        + ")"
        + (detail.isEmpty() ? "" : ": " + detail);
  }

  private static JsonNode json(String text, String where) throws IOException {
    try {
      JsonNode node = JSON.readTree(text == null || text.isBlank() ? "{}" : text);
      if (node == null || !node.isObject()) {
        throw new IOException(where + " is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IOException(where + " is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static String excerpt(HttpResponse<String> response) {
    String body = response.body() == null ? "" : response.body().strip().replaceAll("\\s+", " ");
    if (body.isEmpty()) {
      return "";
    }
    return ": " + (body.length() > 200 ? body.substring(0, 200) + "…" : body);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    headers.forEach(builder::header);
    return builder;
  }

  private HttpRequest post(String path, String body) {
    return request(path)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    cached = null; // java.net.http.HttpClient holds no connection worth closing before Java 21
  }
}
