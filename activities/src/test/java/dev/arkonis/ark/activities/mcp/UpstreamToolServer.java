package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Python tool server of {@code src/test/resources/upstream/tool_server.py} (upstream ark's
 * simple HTTP convention, not MCP), run as {@code python3 tool_server.py} on a free port. It writes
 * every request it gets to {@link #log()}; while {@link #healthFile()} exists its {@code /health}
 * answers 503.
 */
record UpstreamToolServer(Process process, int port, Path log, Path healthFile) {
  static UpstreamToolServer start() throws Exception {
    Path dir = Files.createTempDirectory("upstream-tool-server-");
    Path script = dir.resolve("tool_server.py");
    try (InputStream in =
        UpstreamToolServer.class.getResourceAsStream("/upstream/tool_server.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    Path log = dir.resolve("requests.log");
    Files.createFile(log);
    Path health = dir.resolve("unhealthy");
    ProcessBuilder builder =
        new ProcessBuilder("python3", script.toString())
            .redirectError(dir.resolve("stderr.log").toFile());
    builder.environment().put("LOG_FILE", log.toString());
    builder.environment().put("HEALTH_FILE", health.toString());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "python3 is needed for this test (the HTTP-convention tool server): " + e.getMessage(),
          e);
    }
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine(); // "listening on PORT"
    if (first == null || !first.startsWith("listening on ")) {
      process.destroyForcibly();
      fail("the tool server did not start: " + Files.readString(dir.resolve("stderr.log")));
    }
    return new UpstreamToolServer(
        process, Integer.parseInt(first.substring("listening on ".length()).strip()), log, health);
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The requests so far: {@code METHOD /path team=<X-Team> key=<X-Api-Key>}. */
  List<String> requests() throws IOException {
    return Files.readAllLines(log);
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
