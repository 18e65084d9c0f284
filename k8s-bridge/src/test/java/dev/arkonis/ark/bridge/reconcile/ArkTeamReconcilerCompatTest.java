package dev.arkonis.ark.bridge.reconcile;

import dev.arkonis.ark.bridge.UpstreamRecipes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: the operator on the upstream customer-support recipe, with the checks of
 * {@link ArkTeamReconcilerTest} (skipped when the upstream recipes are absent).
 */
@EnabledIf(
    value = "dev.arkonis.ark.bridge.UpstreamRecipes#present",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
@EnableKubernetesMockClient(crud = true)
class ArkTeamReconcilerCompatTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private OperatorFixture k8s;

  @BeforeAll
  static void needsTheUpstreamRecipes() {
    UpstreamRecipes.dir();
  }

  @BeforeEach
  void setUp() throws Exception {
    k8s = new OperatorFixture(server, client);
  }

  @AfterEach
  void tearDown() {
    k8s.close();
  }

  @Test
  void customerSupportRecipeGetsAgentsWorkloadsAndBecomesReady() throws Exception {
    ArkTeamReconcilerTest.customerSupportTeamBecomesReady(
        k8s, UpstreamRecipes.open("customer-support.yaml"));
  }
}
