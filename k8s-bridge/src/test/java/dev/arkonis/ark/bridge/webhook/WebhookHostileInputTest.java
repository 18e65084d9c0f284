package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.WebhookFixture.EVENT;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.NS;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.TOKEN;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile caller throws at the webhook: wrong tokens at volume, bodies that are too large,
 * not UTF-8 or nested too deep, and an API server that fails. Each gets a clear error, nothing is
 * started, and the server keeps serving.
 */
@EnableKubernetesMockClient(crud = true)
class WebhookHostileInputTest {
  static KubernetesClient client;
  static KubernetesMockServer server;
  private WebhookFixture f;

  static final String TICKET = "{\"message\": \"My invoice shows a double charge.\"}";

  @BeforeEach
  void setUp() throws Exception {
    f = new WebhookFixture(client);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void thousandWrongTokensAreEach401AndCostNoApiCall() throws Exception {
    long before = server.getRequestCount();
    List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      HttpRequest request = f.request(EVENT, null, "Bearer wrong-" + i, TICKET);
      replies.add(f.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      if (replies.size() % 100 == 0) {
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).join();
      }
    }
    for (CompletableFuture<HttpResponse<String>> reply : replies) {
      HttpResponse<String> response = reply.get();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
      assertThat(json(response).path("error").asText()).contains("wrong bearer token");
    }
    assertThat(server.getRequestCount() - before).as("API requests").isZero();
    client.secrets().inNamespace(NS).list();
    assertThat(server.getRequestCount() - before).as("the count counts").isEqualTo(1);
    assertThat(f.started).isEmpty();
    assertThat(f.post(EVENT, null, "Bearer " + TOKEN, TICKET).statusCode()).isEqualTo(202);
  }

  @Test
  void aBodyThatIsNotUtf8Is400() throws Exception {
    byte[] latin1 = "{\"message\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    HttpResponse<String> response =
        f.http.send(
            HttpRequest.newBuilder(uri(EVENT))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofByteArray(latin1))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertRefused(response, 400, "not valid UTF-8");
    assertStillServing();
  }

  @Test
  void aDeeplyNestedBodyIs400() throws Exception {
    int depth = 100_000;
    String deep = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    assertRefused(f.post(EVENT, null, "Bearer " + TOKEN, deep), 400, "nested deeper than 64");
    String justDeepEnough = "{\"a\":".repeat(64) + "1" + "}".repeat(64);
    assertThat(f.post(EVENT, null, "Bearer " + TOKEN, justDeepEnough).statusCode()).isEqualTo(202);
  }

  @Test
  void aDeclaredHugeBodyIs413WithoutBeingSent() throws Exception {
    String reply;
    try (Socket socket = new Socket("127.0.0.1", f.server.port())) {
      socket.setSoTimeout(15_000);
      String head =
          "POST "
              + WebhookServer.path(NS, EVENT)
              + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
              + TOKEN
              + "\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"a\":";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[4096];
      for (int n; (n = in.read(chunk)) >= 0; ) {
        out.write(chunk, 0, n);
      }
      reply = out.toString(StandardCharsets.UTF_8);
    }
    assertThat(reply).startsWith("HTTP/1.1 413").contains("larger than the limit of 1048576");
    assertThat(f.started).isEmpty();
    assertStillServing();
  }

  @Test
  void anApiServerFailureIs503WithAGenericBody() throws Exception {
    EventStore failing =
        new EventStore() {
          @Override
          public JsonNode event(String namespace, String name) {
            throw new KubernetesClientException("etcd at 10.1.2.3:2379 timed out; token=s3cr3t");
          }

          @Override
          public String token(String namespace, String event) {
            return TOKEN;
          }

          @Override
          public Map<String, String> runs(String namespace, String event) {
            return Map.of();
          }

          @Override
          public String runMessage(String namespace, String run) {
            return null;
          }

          @Override
          public void deleteRuns(String namespace, Collection<String> runs) {}
        };
    try (WebhookServer broken =
        new WebhookServer(failing, f.env.getWorkflowClient(), 0, WebhookServer.Limits.DEFAULT)) {
      HttpResponse<String> response =
          f.http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + broken.port() + WebhookServer.path(NS, EVENT)))
                  .header("Authorization", "Bearer " + TOKEN)
                  .POST(HttpRequest.BodyPublishers.ofString(TICKET))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(json(response).path("error").asText())
          .isEqualTo("cannot fire now, nothing was started; retry later");
      assertThat(response.body()).doesNotContain("10.1.2.3").doesNotContain("s3cr3t");
    }
  }

  @Test
  void beforeItsCachesAreSyncedTheServerAnswers503() throws Exception {
    EventStore starting =
        new EventStore() {
          @Override
          public String notReady() {
            return "the webhook server's ArkEvent cache is not synced yet";
          }

          @Override
          public JsonNode event(String namespace, String name) {
            throw new AssertionError("read before the caches are synced");
          }

          @Override
          public String token(String namespace, String event) {
            throw new AssertionError("read before the caches are synced");
          }

          @Override
          public Map<String, String> runs(String namespace, String event) {
            return Map.of();
          }

          @Override
          public String runMessage(String namespace, String run) {
            return null;
          }

          @Override
          public void deleteRuns(String namespace, Collection<String> runs) {}
        };
    try (WebhookServer early =
        new WebhookServer(starting, f.env.getWorkflowClient(), 0, WebhookServer.Limits.DEFAULT)) {
      HttpResponse<String> response =
          f.http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + early.port() + WebhookServer.path(NS, EVENT)))
                  .header("Authorization", "Bearer " + TOKEN)
                  .POST(HttpRequest.BodyPublishers.ofString(TICKET))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(json(response).path("error").asText()).contains("starting");
    }
  }

  private URI uri(String event) {
    return URI.create("http://127.0.0.1:" + f.server.port() + WebhookServer.path(NS, event));
  }

  private void assertStillServing() throws Exception {
    HttpResponse<String> ok = f.post(EVENT, null, "Bearer " + TOKEN, TICKET);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
  }

  private void assertRefused(HttpResponse<String> response, int status, String errorPart)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(json(response).path("error").asText()).contains(errorPart);
    assertThat(f.started).as("workflows started").isEmpty();
  }
}
