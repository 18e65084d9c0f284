package dev.arkonis.ark.bridge.dashboard;

import dev.arkonis.ark.bridge.http.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The browser app, shipped as classpath resources under {@code dashboard/} (vanilla JavaScript and
 * CSS, no build step, nothing from a CDN), read once at start. The index page gets the CSRF token
 * of its session in a {@code <meta>} tag.
 */
final class DashboardAssets {
  private static final Map<String, String> TYPES =
      Map.of(
          "app.js", "text/javascript; charset=utf-8",
          "graph.js", "text/javascript; charset=utf-8",
          "app.css", "text/css; charset=utf-8");

  private final String index;
  private final Map<String, byte[]> files;

  DashboardAssets() {
    index = new String(read("index.html"), StandardCharsets.UTF_8);
    java.util.HashMap<String, byte[]> all = new java.util.HashMap<>();
    for (String name : TYPES.keySet()) {
      all.put(name, read(name));
    }
    files = Map.copyOf(all);
  }

  /** The index page with the session's CSRF token (base64url and a dot: nothing to escape). */
  Reply index(String csrfToken) {
    return new Reply(
        200,
        "text/html; charset=utf-8",
        index.replace("{{csrf}}", csrfToken).getBytes(StandardCharsets.UTF_8),
        Map.of());
  }

  /** {@code /assets/<file>}, or 404. */
  Reply asset(String path) {
    String name = path.substring("/assets/".length());
    byte[] body = files.get(name);
    if (body == null) {
      return Reply.error(404, "no such asset " + name);
    }
    return new Reply(200, TYPES.get(name), body, Map.of("Cache-Control", "no-cache"));
  }

  private static byte[] read(String name) {
    try (InputStream in = DashboardAssets.class.getResourceAsStream("/dashboard/" + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
