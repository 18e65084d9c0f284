package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** One server-everything process: {@code PORT=<port> node <script> <mode>}. */
record EverythingServer(Process process, int port) {
  static EverythingServer start(String script, String mode, int port) throws Exception {
    Path log = Files.createTempFile("mcp-everything-" + mode + "-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder("node", script, mode)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("PORT", Integer.toString(port));
    Process process = builder.start();
    EverythingServer server = new EverythingServer(process, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("server-everything " + mode + " exited: " + Files.readString(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return server;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    server.stop();
    throw new IllegalStateException(
        "server-everything " + mode + " did not open port " + port + ": " + Files.readString(log));
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  void stop() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A port free right now on 127.0.0.1. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
