package dev.arkonis.ark.bridge.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.informer.Controller;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRegistry;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ArkRegistry → the index in its status, following the agents: allowCrossTeam decides whether a
 * team's managed agent is indexed, a deleted agent leaves the index, an invalid scope is reported.
 */
@EnableKubernetesMockClient(crud = true)
class ArkRegistryReconcilerTest {
  private static final String NS = "desk";
  KubernetesClient client;
  private Operator operator;

  @BeforeEach
  void setUp() throws Exception {
    CrdCatalog.install(client);
    operator =
        new Operator(
            client,
            null,
            new Controller.Settings(
                2, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ZERO));
    ArkRegistryReconciler.inform(operator);
    operator.register(
        new ArkRegistryReconciler(client, operator, operator.events(), Clock.systemUTC()),
        ArkRegistryReconciler.watches());
    operator.start();
  }

  @AfterEach
  void tearDown() {
    operator.close();
  }

  private <T extends HasMetadata> void apply(Class<T> type, String yaml) {
    T object = client.getKubernetesSerialization().unmarshal(yaml, type);
    client.resources(type).inNamespace(NS).resource(object).create();
  }

  private JsonNode status(String registry) {
    ArkRegistry r = client.resources(ArkRegistry.class).inNamespace(NS).withName(registry).get();
    return client.getKubernetesSerialization().convertValue(r, JsonNode.class).path("status");
  }

  private String ready(String registry) {
    JsonNode ready = Conditions.find(status(registry), Conditions.READY);
    return ready.path("status").asText() + "/" + ready.path("reason").asText();
  }

  @Test
  void indexesAgentsByCapabilityUnderItsPolicyAndFollowsThem() {
    apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: billing}
        spec:
          model: gpt-4o
          capabilities: [{id: refunds, description: Refunds, tags: [refund]}]
        """);
    apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: crew-writer, labels: {arkonis.dev/team: crew}}
        spec:
          model: gpt-4o
          capabilities: [{id: write}]
        """);
    apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: plain}
        spec: {model: gpt-4o}
        """);
    apply(
        ArkRegistry.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRegistry
        metadata: {name: own}
        spec: {}
        """);
    apply(
        ArkRegistry.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRegistry
        metadata: {name: shared}
        spec: {policy: {allowCrossTeam: true}}
        """);

    await()
        .untilAsserted(
            () -> {
              assertThat(status("own").path("capabilities").toString())
                  .isEqualTo("[\"billing/refunds\"]");
              assertThat(
                      status("own")
                          .path("agents")
                          .get(0)
                          .path("capabilities")
                          .get(0)
                          .path("tags")
                          .toString())
                  .isEqualTo("[\"refund\"]");
              assertThat(ready("own")).isEqualTo("True/Indexed");
              assertThat(status("shared").path("capabilities").toString())
                  .isEqualTo("[\"billing/refunds\",\"crew-writer/write\"]");
              assertThat(status("shared").path("agents").get(1).path("team").asText())
                  .isEqualTo("crew");
              assertThat(status("shared").path("agentCount").asInt()).isEqualTo(2);
              assertThat(status("shared").path("observedGeneration").isNumber()).isTrue();
            });

    client.resources(ArkAgent.class).inNamespace(NS).withName("billing").delete();

    await()
        .untilAsserted(
            () -> {
              assertThat(status("own").path("agentCount").asInt()).isZero();
              assertThat(status("own").path("agents")).isEmpty();
              assertThat(ready("own")).isEqualTo("False/NoAgents");
              assertThat(status("shared").path("capabilities").toString())
                  .isEqualTo("[\"crew-writer/write\"]");
            });
  }

  @Test
  void aClusterScopedRegistryIsReportedInvalid() {
    apply(
        ArkRegistry.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRegistry
        metadata: {name: everywhere}
        spec: {scope: cluster-scoped}
        """);

    await().untilAsserted(() -> assertThat(ready("everywhere")).isEqualTo("False/InvalidSpec"));
    assertThat(Conditions.find(status("everywhere"), Conditions.READY).path("message").asText())
        .contains("spec.scope: cluster-scoped is not supported");
  }
}
