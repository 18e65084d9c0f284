package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.WebhookFixture.EVENT;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.NS;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The event webhook's part of the hostile-input corpus: raw HTTP requests (bodies, heads, paths,
 * methods) each answered with its status and a clear JSON error, nothing started, no ArkRun
 * created, the server serving the next caller; and slow clients that hold connections open while
 * others are served.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(120)
class WebhookHostileCorpusTest {
  static KubernetesClient client;
  private WebhookFixture f;

  static final String PATH = WebhookServer.path(NS, EVENT);
  static final String AUTH = "Authorization: Bearer " + TOKEN + "\r\n";
  static final String JSON_TYPE = "Content-Type: application/json\r\n";

  @BeforeEach
  void setUp() throws Exception {
    f = new WebhookFixture(client);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** name, raw request bytes, expected status, fragment of the error. */
  static Stream<Arguments> corpus() {
    return Stream.of(
        raw("streamed body over 1 MiB (chunked)", chunked(2 * 1024 * 1024), 413, "larger than"),
        raw(
            "declared length just over 1 MiB",
            post(AUTH + JSON_TYPE, "{\"m\":\"" + "x".repeat(1024 * 1024) + "\"}"),
            413,
            "larger than"),
        raw("JSON array body", post(AUTH + JSON_TYPE, "[1,2]"), 400, "must be a JSON object"),
        raw("JSON string body", post(AUTH + JSON_TYPE, "\"hi\""), 400, "must be a JSON object"),
        raw("empty body", post(AUTH + JSON_TYPE, ""), 400, "the body is empty"),
        raw(
            "form body",
            post(AUTH + "Content-Type: application/x-www-form-urlencoded\r\n", "message=hi"),
            400,
            "not valid JSON"),
        raw(
            "XML body",
            post(AUTH + "Content-Type: application/xml\r\n", "<message>hi</message>"),
            400,
            "not valid JSON"),
        raw(
            "deep arrays",
            post(AUTH + JSON_TYPE, "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}"),
            400,
            "nested deeper than 64"),
        raw(
            "number of 5000 digits",
            post(AUTH + JSON_TYPE, "{\"n\": " + "9".repeat(5000) + "}"),
            400,
            "a number is longer than 1000 digits"),
        raw(
            "lone surrogate escape",
            post(AUTH + JSON_TYPE, "{\"message\": \"half \\ud800 pair\"}"),
            400,
            "lone surrogate"),
        raw(
            "duplicate keys",
            post(AUTH + JSON_TYPE, "{\"message\": \"a\", \"message\": \"b\"}"),
            400,
            "Duplicate field 'message'"),
        raw(
            "trailing garbage",
            post(AUTH + JSON_TYPE, "{\"message\": \"a\"} {\"x\": 1}"),
            400,
            "not valid JSON"),
        raw(
            "token with control characters",
            post("Authorization: Bearer " + TOKEN + "\u0001\r\n" + JSON_TYPE, "{}"),
            400,
            "error"),
        raw(
            "16 KiB Authorization header",
            post("Authorization: Bearer " + "t".repeat(16 * 1024) + "\r\n" + JSON_TYPE, "{}"),
            431,
            ""),
        raw("GET", request("GET", PATH, AUTH, ""), 405, "use POST"),
        raw(
            "path traversal",
            request("POST", "/triggers/../../etc/passwd", AUTH + JSON_TYPE, "{}"),
            400,
            "error"),
        raw(
            "homoglyph event name (Cyrillic o)",
            request("POST", "/triggers/" + NS + "/supp%D0%BErt-webhook", AUTH + JSON_TYPE, "{}"),
            404,
            "no such endpoint"),
        raw(
            "sync timeout out of range",
            request("POST", PATH + "?mode=sync&timeout=999999999h", AUTH + JSON_TYPE, "{}"),
            400,
            "is over the maximum of 10m"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void refusedClearlyNothingStartedStillServing(
      String name, byte[] request, int status, String error) throws Exception {
    String reply = exchange(request);
    assertThat(reply).as(name).startsWith("HTTP/1.1 " + status);
    assertThat(body(reply)).as(name).contains(error);
    assertThat(reply).doesNotContainPattern("\\bat [\\w.$]+\\(").doesNotContain("Exception");
    assertThat(f.started).as("workflows started").isEmpty();
    assertThat(client.resources(ArkRun.class).inNamespace(NS).list().getItems()).isEmpty();
    HttpResponse<String> ok = f.post(EVENT, null, "Bearer " + TOKEN, "{\"message\": \"hi\"}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
  }

  @Test
  void slowlorisHeadsDoNotStopOthersBeingServed() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        Socket s = new Socket("127.0.0.1", f.server.port());
        s.getOutputStream().write(("POST " + PATH + " HTTP/1.1\r\nHost: x\r\nX-Slow: ").getBytes());
        s.getOutputStream().flush();
        slow.add(s);
      }
      for (int round = 0; round < 3; round++) {
        for (Socket s : slow) {
          s.getOutputStream().write('a'); // a byte at a time keeps each head "alive"
        }
        long start = System.nanoTime();
        HttpResponse<String> ok = f.post(EVENT, null, "Bearer " + TOKEN, "{\"message\": \"hi\"}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        Thread.sleep(500);
      }
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  /**
   * Stalled bodies each hold a request thread until the 30 s body timeout; below the webhook's 32
   * threads others are still served. (32 or more stalled bodies do stop it for up to 30 s: reading
   * bodies without a thread is not done yet, see docs/reliability.md.)
   */
  @Test
  void aBodyThatNeverArrivesDoesNotStopOthersBeingServed() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        Socket s = new Socket("127.0.0.1", f.server.port());
        s.getOutputStream()
            .write(
                ("POST "
                        + PATH
                        + " HTTP/1.1\r\nHost: x\r\n"
                        + AUTH
                        + JSON_TYPE
                        + "Content-Length: 1000\r\n\r\n{\"message\":")
                    .getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        slow.add(s);
      }
      long start = System.nanoTime();
      HttpResponse<String> ok = f.post(EVENT, null, "Bearer " + TOKEN, "{\"message\": \"hi\"}");
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
    assertThat(f.started).hasSize(1);
  }

  private static Arguments raw(String name, byte[] request, int status, String error) {
    return Arguments.of(name, request, status, error);
  }

  private static byte[] post(String headers, String body) {
    return request("POST", PATH, headers, body);
  }

  private static byte[] request(String method, String path, String headers, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + headers
            + "Content-Length: "
            + bytes.length
            + "\r\n\r\n";
    return concat(head.getBytes(StandardCharsets.UTF_8), bytes);
  }

  private static byte[] chunked(int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String head =
        "POST "
            + PATH
            + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + AUTH
            + JSON_TYPE
            + "Transfer-Encoding: chunked\r\n\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    String chunk = "{\"m\":\"" + "x".repeat(65_536 - 6);
    for (int sent = 0; sent < size; sent += chunk.length()) {
      out.writeBytes((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").getBytes());
    }
    out.writeBytes("0\r\n\r\n".getBytes());
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private String exchange(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", f.server.port())) {
      socket.setSoTimeout(15_000);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // the server answered and closed before reading everything: read its answer
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      try {
        for (int n; (n = in.read(chunk)) >= 0; ) {
          out.write(chunk, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no answer; got: " + out, e);
      } catch (IOException e) {
        // reset after the answer
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static String body(String reply) {
    int at = reply.indexOf("\r\n\r\n");
    return at < 0 ? "" : reply.substring(at + 4);
  }
}
