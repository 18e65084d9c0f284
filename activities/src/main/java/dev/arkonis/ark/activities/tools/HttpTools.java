package dev.arkonis.ark.activities.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.spec.JsonSchemas;
import dev.arkonis.ark.workflows.api.HttpToolSpec;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls inline HTTP tools ({@code tools[]}): arguments are checked against the tool's {@code
 * inputSchema} first (no request on a violation); {@code GET}/{@code DELETE} send them as query
 * parameters (arrays as repeated parameters, objects as JSON), {@code POST}/{@code PUT}/{@code
 * PATCH} as a JSON body. The response body is read up to {@link ToolFailures#MAX_RESULT_BYTES}.
 * Non-2xx answers are error results the model can react to; an unreachable endpoint or a timeout is
 * a retryable {@link ToolFailures#TOOL_UNAVAILABLE} failure.
 */
final class HttpTools {
  private static final Logger log = LoggerFactory.getLogger(HttpTools.class);

  static final int DEFAULT_TIMEOUT_SECONDS = 30;
  private static final int MAX_ERROR_EXCERPT = 2_000;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Made on the first call, not with the worker: a JDK 17 client cannot be closed, and its selector
   * thread, idle in native code, holds up JVM exit by ~0.3 s in every {@code ark run} that calls no
   * HTTP tool.
   */
  private HttpClient client;

  private synchronized HttpClient client() {
    if (client == null) {
      client =
          HttpClient.newBuilder()
              .connectTimeout(CONNECT_TIMEOUT)
              .followRedirects(HttpClient.Redirect.NORMAL)
              .build();
    }
    return client;
  }

  /**
   * Calls {@code tool} with {@code arguments} (a JSON object).
   *
   * @throws io.temporal.failure.ApplicationFailure ({@code ToolUnavailable}, retryable) when the
   *     endpoint cannot be reached or does not answer within the tool's timeout
   */
  ToolResult call(HttpToolSpec tool, JsonNode arguments) {
    String schema = tool.inputSchema();
    if (schema != null && !schema.isBlank()) {
      List<String> violations = JsonSchemas.violations(schema, arguments);
      if (!violations.isEmpty()) {
        return new ToolResult(
            "arguments for tool \""
                + tool.name()
                + "\" do not match its input schema:\n- "
                + String.join("\n- ", violations)
                + "\nFix the arguments and call the tool again.",
            true);
      }
    }
    String method = tool.method() == null ? "" : tool.method().strip().toUpperCase(Locale.ROOT);
    if (method.isEmpty()) {
      method = "GET";
    }
    int seconds = tool.timeoutSeconds() > 0 ? tool.timeoutSeconds() : DEFAULT_TIMEOUT_SECONDS;
    HttpRequest request;
    try {
      request = request(tool, method, arguments, Duration.ofSeconds(seconds));
    } catch (IllegalArgumentException e) {
      log.warn("HTTP tool {} is misconfigured: {}", tool.name(), e.getMessage());
      return new ToolResult(
          "tool \"" + tool.name() + "\" is misconfigured: " + e.getMessage(), true);
    }
    long started = System.nanoTime();
    HttpResponse<InputStream> response;
    String body;
    try {
      response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
      body = read(response);
    } catch (HttpTimeoutException e) {
      throw ToolFailures.unavailable(
          "HTTP tool "
              + tool.name()
              + " ("
              + tool.url()
              + ") did not answer within "
              + seconds
              + " s",
          e);
    } catch (IOException e) {
      throw ToolFailures.unavailable(
          "HTTP tool " + tool.name() + " (" + tool.url() + ") unreachable: " + reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ToolFailures.unavailable("HTTP tool " + tool.name() + " call interrupted", e);
    }
    int status = response.statusCode();
    log.debug(
        "HTTP tool {} {} → {} in {} ms",
        tool.name(),
        method,
        status,
        (System.nanoTime() - started) / 1_000_000);
    if (status < 200 || status > 299) {
      String excerpt =
          body.length() <= MAX_ERROR_EXCERPT ? body : body.substring(0, MAX_ERROR_EXCERPT) + "…";
      return new ToolResult("HTTP " + status + ": " + excerpt.strip(), true);
    }
    return new ToolResult(body.isEmpty() ? "(empty response, HTTP " + status + ")" : body, false);
  }

  private static HttpRequest request(
      HttpToolSpec tool, String method, JsonNode arguments, Duration timeout) {
    if (tool.url() == null || tool.url().isBlank()) {
      throw new IllegalArgumentException("it has no url");
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder().timeout(timeout);
    switch (method) {
      case "GET", "DELETE" -> {
        builder.uri(URI.create(withQuery(tool.url().strip(), arguments)));
        builder.method(method, HttpRequest.BodyPublishers.noBody());
      }
      case "POST", "PUT", "PATCH" -> {
        builder.uri(URI.create(tool.url().strip()));
        builder.header("Content-Type", "application/json");
        builder.method(
            method,
            HttpRequest.BodyPublishers.ofString(arguments.toString(), StandardCharsets.UTF_8));
      }
      default ->
          throw new IllegalArgumentException(
              "method " + method + " is not GET, POST, PUT, PATCH or DELETE");
    }
    builder.header("Accept", "application/json, text/plain;q=0.9, */*;q=0.8");
    return builder.build();
  }

  /** {@code url} with the arguments appended as query parameters. */
  static String withQuery(String url, JsonNode arguments) {
    List<String> pairs = new ArrayList<>();
    if (arguments != null && arguments.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = arguments.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode value = field.getValue();
        if (value.isNull()) {
          continue;
        }
        if (value.isArray()) {
          value.forEach(item -> pairs.add(pair(field.getKey(), item)));
        } else {
          pairs.add(pair(field.getKey(), value));
        }
      }
    }
    if (pairs.isEmpty()) {
      return url;
    }
    int hash = url.indexOf('#');
    String base = hash >= 0 ? url.substring(0, hash) : url;
    String fragment = hash >= 0 ? url.substring(hash) : "";
    String separator =
        base.contains("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
    return base + separator + String.join("&", pairs) + fragment;
  }

  private static String pair(String name, JsonNode value) {
    String text = value.isValueNode() ? value.asText() : value.toString();
    return encode(name) + "=" + encode(text);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The body, at most {@link ToolFailures#MAX_RESULT_BYTES} bytes, with a note when cut. */
  private static String read(HttpResponse<InputStream> response) throws IOException {
    try (InputStream in = response.body()) {
      byte[] bytes = in.readNBytes(ToolFailures.MAX_RESULT_BYTES);
      boolean more = in.read() != -1;
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (!more) {
        return text;
      }
      long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      return text + ToolFailures.truncationNote(length);
    }
  }

  private static String reason(IOException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (e instanceof java.net.ConnectException || root instanceof java.net.ConnectException) {
      return "connection refused";
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
