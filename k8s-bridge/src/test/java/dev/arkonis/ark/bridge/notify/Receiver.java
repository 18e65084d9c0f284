package dev.arkonis.ark.bridge.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP receiver on 127.0.0.1 (JDK HttpServer) recording every request; answers the scripted
 * status codes in order, then 200.
 */
final class Receiver implements AutoCloseable {
  /** One request as received. */
  record Request(String path, Map<String, List<String>> headers, String body, int answered) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Queue<Integer> script = new ConcurrentLinkedQueue<>();
  private final HttpServer server;

  Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body;
          try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          Integer code = script.poll();
          int answer = code == null ? 200 : code;
          requests.add(
              new Request(
                  exchange.getRequestURI().getPath(),
                  Map.copyOf(exchange.getRequestHeaders()),
                  body,
                  answer));
          byte[] reply = (answer == 200 ? "ok" : "error").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(answer, reply.length);
          exchange.getResponseBody().write(reply);
          exchange.close();
        });
    server.start();
  }

  /** The next requests are answered with these codes. */
  void answer(Integer... codes) {
    script.addAll(List.of(codes));
  }

  /** The URL of {@code path} on this receiver. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Bodies of the requests answered 200. */
  List<String> delivered() {
    return requests.stream().filter(r -> r.answered() == 200).map(Request::body).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
