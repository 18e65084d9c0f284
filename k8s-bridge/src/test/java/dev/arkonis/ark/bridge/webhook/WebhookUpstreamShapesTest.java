package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.WebhookFixture.EVENT;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.NS;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream ark's webhook shapes: the URL with a {@code /fire} suffix and the token Secret named
 * {@code <event>-webhook-token}.
 */
@EnableKubernetesMockClient(crud = true)
class WebhookUpstreamShapesTest {
  static KubernetesClient client;
  private WebhookFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new WebhookFixture(client);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void theFireSuffixFiresTheEvent() throws Exception {
    HttpResponse<String> fired = post(WebhookServer.path(NS, EVENT) + "/fire", TOKEN);
    HttpResponse<String> other = post(WebhookServer.path(NS, EVENT) + "/other", TOKEN);

    assertThat(fired.statusCode()).as(fired.body()).isEqualTo(202);
    assertThat(f.started).hasSize(1);
    assertThat(other.statusCode()).isEqualTo(404);
  }

  @Test
  void theWebhookTokenSecretIsAnAliasWhenThereIsNoTokenSecret() throws Exception {
    f.deleteToken(EVENT);
    secret(EVENT + "-webhook-token", "upstream-token-1");
    await().atMost(Duration.ofSeconds(30)).until(() -> f.cache.token(NS, EVENT) != null);

    HttpResponse<String> good = post(WebhookServer.path(NS, EVENT) + "/fire", "upstream-token-1");
    HttpResponse<String> wrong = post(WebhookServer.path(NS, EVENT), TOKEN);

    assertThat(good.statusCode()).as(good.body()).isEqualTo(202);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains(EVENT + "-token (or " + EVENT + "-webhook-token)");
  }

  @Test
  void theTokenSecretWinsOverTheAlias() throws Exception {
    f.deleteToken(EVENT);
    secret(EVENT + "-webhook-token", "upstream-token-2");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "upstream-token-2".equals(f.cache.token(NS, EVENT)));
    f.token(EVENT, TOKEN); // both Secrets now

    await().atMost(Duration.ofSeconds(30)).until(() -> TOKEN.equals(f.cache.token(NS, EVENT)));
    HttpResponse<String> alias = post(WebhookServer.path(NS, EVENT), "upstream-token-2");
    HttpResponse<String> token = post(WebhookServer.path(NS, EVENT), TOKEN);

    assertThat(alias.statusCode()).isEqualTo(401);
    assertThat(token.statusCode()).as(token.body()).isEqualTo(202);
  }

  private void secret(String name, String token) {
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(EventStore.EVENT_LABEL, EVENT)
                .endMetadata()
                .addToData(
                    "token",
                    Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
  }

  private HttpResponse<String> post(String path, String token) throws Exception {
    return f.http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.server.port() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"hello\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
