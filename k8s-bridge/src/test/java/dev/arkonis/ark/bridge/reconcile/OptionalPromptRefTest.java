package dev.arkonis.ark.bridge.reconcile;

import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code systemPromptRef.*.optional}: a missing object or key is no prompt, not an error. */
@EnableKubernetesMockClient(crud = true)
class OptionalPromptRefTest {
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
  void aMissingOptionalConfigMapLeavesTheInlinePromptAndTheAgentRuns() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: relaxed}
        spec:
          model: gpt-4o
          systemPrompt: Be brief.
          systemPromptRef:
            configMapKeyRef: {name: not-yet, key: prompt, optional: true}
        """);

    await().until(() -> k8s.exists(Deployment.class, "relaxed"));
    assertThat(k8s.get(ConfigMap.class, "relaxed-config").getData())
        .containsEntry("systemPrompt", "Be brief.");
    JsonNode ready = condition(k8s.status(ArkAgent.class, "relaxed"), "Ready");
    assertThat(ready.path("reason").asText()).isNotEqualTo("ReferenceNotFound");
  }

  @Test
  void aMissingOptionalSecretIsNoProblemAndThePodsMayStartWithoutIt() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: unsealed}
        spec:
          model: gpt-4o
          systemPromptRef:
            secretKeyRef: {name: no-such-secret, key: prompt, optional: true}
        """);

    await().until(() -> k8s.exists(Deployment.class, "unsealed"));
    k8s.setReady("unsealed", 1);
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkAgent.class, "unsealed"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("True");
              assertThat(ready.path("reason").asText()).isEqualTo("ReplicasReady");
            });
    EnvVar prompt =
        k8s
            .get(Deployment.class, "unsealed")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getEnv()
            .stream()
            .filter(e -> e.getName().equals("ARK_SYSTEM_PROMPT"))
            .findFirst()
            .orElseThrow();
    assertThat(prompt.getValueFrom().getSecretKeyRef().getOptional()).isTrue();
  }
}
