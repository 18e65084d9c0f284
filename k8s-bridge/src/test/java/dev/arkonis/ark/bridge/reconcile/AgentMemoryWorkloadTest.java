package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An agent with {@code memoryRef}: its pods get the ArkMemory's Secret key, not its value. */
@EnableKubernetesMockClient(crud = true)
class AgentMemoryWorkloadTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private OperatorFixture k8s;

  @BeforeEach
  void setUp() throws Exception {
    k8s = new OperatorFixture(server, client);
  }

  @AfterEach
  void tearDown() {
    k8s.close();
  }

  @Test
  void theRedisUrlReachesThePodFromItsSecretAndAMissingMemoryIsNamed() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: analyst}
        spec:
          model: gpt-4o
          memoryRef: {name: notes}
        """);
    await()
        .untilAsserted(
            () ->
                assertThat(
                        OperatorFixture.condition(k8s.status(ArkAgent.class, "analyst"), "Ready")
                            .path("message")
                            .asText())
                    .contains("spec.memoryRef: ArkMemory notes not found"));

    k8s.apply(
        ArkMemory.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkMemory
        metadata: {name: notes}
        spec:
          backend: redis
          redis: {secretRef: {name: redis-creds}, maxEntries: 10}
        """);
    await().until(() -> k8s.exists(Deployment.class, "analyst"));
    Container container =
        k8s.get(Deployment.class, "analyst")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    EnvVar secret =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("ARK_MEMORY_SECRET"))
            .findFirst()
            .orElseThrow();
    assertThat(secret.getValue()).isNull();
    assertThat(secret.getValueFrom().getSecretKeyRef().getName()).isEqualTo("redis-creds");
    assertThat(secret.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("REDIS_URL");
    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().equals("ARK_MEMORY_SECRET_REF"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).endsWith("/redis-creds/REDIS_URL"));
  }
}
