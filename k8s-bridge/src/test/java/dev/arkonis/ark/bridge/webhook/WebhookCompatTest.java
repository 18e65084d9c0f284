package dev.arkonis.ark.bridge.webhook;

import dev.arkonis.ark.bridge.UpstreamRecipes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: the upstream customer-support recipe's webhook ArkEvent, posted to over real
 * HTTP (skipped when the upstream recipes are absent).
 */
@EnabledIf(
    value = "dev.arkonis.ark.bridge.UpstreamRecipes#present",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
@EnableKubernetesMockClient(crud = true)
class WebhookCompatTest {
  static KubernetesClient client;
  private WebhookFixture f;

  @BeforeAll
  static void needsTheUpstreamRecipes() {
    UpstreamRecipes.dir();
  }

  @BeforeEach
  void setUp() throws Exception {
    f = new WebhookFixture(client, UpstreamRecipes.open("customer-support.yaml"));
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void goodTokenStartsOneFireOfTheRecipesTarget() throws Exception {
    WebhookServerTest.goodTokenStartsOneFire(f);
  }
}
