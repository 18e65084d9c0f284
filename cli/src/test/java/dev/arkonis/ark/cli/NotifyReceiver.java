package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiver of an ArkNotify webhook channel ({@code POST /hook}), on a fixed port so it can go
 * down (connection refused) and come back at the same URL. Keeps the JSON bodies it accepted; calls
 * without the expected {@code Authorization} header get 401.
 */
final class NotifyReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int port;
  private final String authorization;
  private final List<JsonNode> received = new ArrayList<>();
  private int unauthorized;
  private HttpServer server;

  NotifyReceiver(String authorization) throws IOException {
    this.authorization = authorization;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    up();
  }

  String url() {
    return "http://127.0.0.1:" + port + "/hook";
  }

  synchronized void up() throws IOException {
    if (server != null) {
      return;
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/hook", this::handle);
    server.start();
  }

  synchronized void down() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  /** The accepted messages with this {@code key}. */
  synchronized List<JsonNode> withKey(String key) {
    return received.stream().filter(m -> m.path("key").asText().equals(key)).toList();
  }

  synchronized int unauthorized() {
    return unauthorized;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      int status = 204;
      synchronized (this) {
        if (!authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
          unauthorized++;
          status = 401;
        } else {
          received.add(body);
        }
      }
      exchange.sendResponseHeaders(status, -1);
    }
  }

  @Override
  public void close() {
    down();
  }
}
