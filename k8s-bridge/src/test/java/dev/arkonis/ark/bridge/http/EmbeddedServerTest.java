package dev.arkonis.ark.bridge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transport's defences, over real sockets: slow heads, large bodies, exceptions. */
class EmbeddedServerTest {
  static final long LIMIT = 1024;

  final AtomicInteger tooLarge = new AtomicInteger();
  final AtomicInteger bodyFailed = new AtomicInteger();
  final AtomicLong received = new AtomicLong(-1);
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final EmbeddedServer server =
      EmbeddedServer.builder(
              "test",
              "127.0.0.1",
              0,
              HttpLimits.DEFAULT
                  .withThreads(4)
                  .withTimeouts(
                      Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(1)))
          .route("/ok", e -> CompletableFuture.completedFuture(Reply.text(200, "ok\n")))
          .route(
              "/body",
              e -> {
                try {
                  received.set(e.body(LIMIT).length);
                  return CompletableFuture.completedFuture(Reply.text(200, "read\n"));
                } catch (IOException t) {
                  bodyFailed.incrementAndGet();
                  throw t;
                } catch (Exchange.TooLarge t) {
                  tooLarge.incrementAndGet();
                  return CompletableFuture.completedFuture(
                      Reply.error(413, "too large").withHeader("Connection", "close"));
                }
              })
          .route(
              "/refuse", e -> CompletableFuture.completedFuture(Reply.error(401, "who are you?")))
          .route(
              "/boom",
              e -> {
                throw new IllegalStateException("db password hunter2 in /etc/secret");
              })
          .route(
              "/later-boom",
              e -> CompletableFuture.failedFuture(new IOException("socket to 10.0.0.7 refused")))
          .start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aHeadTrickledFasterThanTheIdleTimeoutIsCutWhileOthersAreServed() throws Exception {
    assertThat(get("/ok").statusCode()).isEqualTo(200);
    try (RawClient slow = new RawClient(server.port())) {
      slow.send("GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      long start = System.nanoTime();
      // one byte every 200 ms: never idle for the 2 s idle timeout, never finishing the head
      CompletableFuture<Duration> cut =
          CompletableFuture.supplyAsync(
              () -> {
                while (Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10) {
                  try {
                    slow.send("a");
                    Thread.sleep(200);
                  } catch (IOException e) {
                    return Duration.ofNanos(System.nanoTime() - start);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                  }
                }
                return null;
              });
      for (int i = 0; i < 5; i++) {
        assertThat(get("/ok").statusCode()).as("others are served meanwhile").isEqualTo(200);
      }
      Duration took = cut.get();
      assertThat(took).as("the trickling client is disconnected").isNotNull();
      assertThat(took).isLessThan(Duration.ofSeconds(4));
    }
    assertThat(get("/ok").statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyTrickledFasterThanTheIdleTimeoutIsCutAtTheBodyTimeout() throws Exception {
    try (RawClient slow = new RawClient(server.port())) {
      slow.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
      long start = System.nanoTime();
      // one byte every 200 ms: never idle for the 2 s idle timeout, 20 s for the whole body
      CompletableFuture<Duration> cut =
          CompletableFuture.supplyAsync(
              () -> {
                for (int i = 0; i < 100; i++) {
                  try {
                    slow.send("a");
                    Thread.sleep(200);
                  } catch (IOException e) {
                    return Duration.ofNanos(System.nanoTime() - start);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                  }
                }
                return null;
              });
      assertThat(get("/ok").statusCode()).as("others are served meanwhile").isEqualTo(200);
      Duration took = cut.get();
      assertThat(took)
          .as("the trickling body is cut")
          .isNotNull()
          .isLessThan(Duration.ofSeconds(4));
    }
    assertThat(bodyFailed).hasValue(1);
    assertThat(received).hasValue(-1);
    assertThat(get("/ok").statusCode()).isEqualTo(200);
  }

  @Test
  void aClientSilentForLongerThanTheIdleTimeoutIsDisconnected() throws Exception {
    try (RawClient silent = new RawClient(server.port())) {
      long start = System.nanoTime();
      silent.send("GET /ok HTTP/1.1\r\nHo");
      silent.readUntilClosed();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(4));
    }
    assertThat(get("/ok").statusCode()).isEqualTo(200);
  }

  @Test
  void aDeclaredOversizedBodyIs413BeforeItIsSent() throws Exception {
    try (RawClient client = new RawClient(server.port())) {
      client.send(
          "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n" + "x".repeat(10));
      String reply = client.readUntilClosed();
      assertThat(reply).startsWith("HTTP/1.1 413").contains("Connection: close");
    }
    assertThat(tooLarge).hasValue(1);
    assertThat(received).hasValue(-1);
  }

  @Test
  void aChunkedBodyIsCutAtTheLimitWithoutReadingTheRest() throws Exception {
    try (RawClient client = new RawClient(server.port())) {
      client.send("POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = Integer.toHexString(600) + "\r\n" + "x".repeat(600) + "\r\n";
      client.send(chunk + chunk);
      // the client never ends the body: the answer must not wait for the rest
      String reply = client.readUntilClosed();
      assertThat(reply).startsWith("HTTP/1.1 413");
    }
    assertThat(tooLarge).hasValue(1);
  }

  @Test
  void aRefusalBeforeTheBodyIsReadClosesTheConnection() throws Exception {
    try (RawClient client = new RawClient(server.port())) {
      // half the body: the rest could still arrive after the answer, as the next "request"
      client.send("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
      String reply = client.readUntilClosed();
      assertThat(reply).startsWith("HTTP/1.1 401").contains("Connection: close");
    }
    try (RawClient client = new RawClient(server.port())) {
      client.send("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(client.readUntilClosed()).startsWith("HTTP/1.1 200").doesNotContain("401");
    }
  }

  @Test
  void aBodyAtTheLimitIsRead() throws Exception {
    HttpResponse<String> reply =
        http.send(
            HttpRequest.newBuilder(uri("/body"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat((int) LIMIT)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(received).hasValue(LIMIT);
  }

  @Test
  void exceptionsAreAnswered500WithoutTheirText() throws Exception {
    for (String path : new String[] {"/boom", "/later-boom"}) {
      HttpResponse<String> reply = get(path);
      assertThat(reply.statusCode()).isEqualTo(500);
      assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(reply.body())
          .isEqualTo("{\"error\":\"internal error; see the operator's log\"}\n")
          .doesNotContain("hunter2")
          .doesNotContain("10.0.0.7")
          .doesNotContain("Exception");
    }
    assertThat(get("/ok").statusCode()).isEqualTo(200);
  }

  @Test
  void headersOverTheLimitAre431AsJson() throws Exception {
    HttpResponse<String> reply =
        http.send(
            HttpRequest.newBuilder(uri("/ok")).header("X-Big", "y".repeat(9000)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).isEqualTo(431);
    assertThat(reply.body()).contains("\"error\"").doesNotContain("Exception");
  }

  @Test
  void unknownPathsAre404() throws Exception {
    HttpResponse<String> reply = get("/nope");
    assertThat(reply.statusCode()).isEqualTo(404);
    assertThat(reply.body()).contains("no such endpoint /nope");
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
