package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.NS;
import static dev.arkonis.ark.bridge.RbacFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRegistry;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import java.util.List;

/**
 * {@link RbacUsageTest}'s routed-mode scenarios, which also show the operator's behaviour: an
 * ArkRegistry indexes the agents with capabilities (a managed agent of another team left out), its
 * status follows an agent that gains a capability, and a routed team's ArkRun routes its task to
 * the matching agent ({@code route} step with the decision in the ArkRun status).
 */
final class RbacRegistryScenarios {
  /** The agents whose task queues the test's workers poll. */
  static final List<String> AGENTS = List.of("desk-billing", "desk-general");

  private final RbacFixture cluster;

  RbacRegistryScenarios(RbacFixture cluster) {
    this.cluster = cluster;
  }

  void registries() {
    cluster.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: desk-billing}
        spec:
          model: gpt-4o
          replicas: 0
          capabilities:
            - {id: billing.refunds, description: Refunds of invoices, tags: [refund, invoice]}
        """);
    cluster.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: desk-general}
        spec: {model: gpt-4o, replicas: 0}
        """);
    cluster.apply(
        ArkRegistry.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRegistry
        metadata: {name: desk}
        spec: {policy: {maxDepth: 0, allowCrossTeam: false}}
        """);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode status = cluster.status(ArkRegistry.class, "desk");
              assertThat(status.path("capabilities").toString())
                  .isEqualTo("[\"desk-billing/billing.refunds\"]");
              assertThat(status.path("agentCount").asInt()).isEqualTo(1);
              assertThat(RbacFixture.condition(status, "Ready").path("reason").asText())
                  .isEqualTo("Indexed");
            });

    cluster.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: desk}
        spec:
          inputs: [{name: task, type: string, required: true}]
          routing:
            registryRef: {name: desk}
            model: gpt-4o-mini
            fallback: desk-general
        """);
    cluster.createRun("desk-1", "desk", "{task: Please refund my last invoice}", null);
    cluster.awaitPhase(ArkRun.class, "desk-1", "Succeeded");
    JsonNode steps = cluster.status(ArkRun.class, "desk-1").path("steps");
    assertThat(steps.get(0).path("name").asText()).isEqualTo("route");
    assertThat(steps.get(0).path("resolvedAgent").asText()).isEqualTo("desk-billing");
    assertThat(steps.get(0).path("selectedCapability").asText()).isEqualTo("billing.refunds");
    assertThat(steps.get(0).path("routingReason").asText()).startsWith("mock router:");
    assertThat(steps.get(1).path("role").asText()).isEqualTo("desk-billing");

    // the index follows the agents
    cluster
        .client()
        .resources(ArkAgent.class)
        .inNamespace(NS)
        .withName("desk-general")
        .edit(
            a -> {
              a.getSpec()
                  .setCapabilities(
                      List.of(
                          cluster
                              .client()
                              .getKubernetesSerialization()
                              .convertValue(
                                  java.util.Map.of("id", "general.help", "tags", List.of("help")),
                                  dev.arkonis.ark.crd.v1alpha1.arkagentspec.Capabilities.class)));
              return a;
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        cluster.status(ArkRegistry.class, "desk").path("capabilities").toString())
                    .isEqualTo("[\"desk-billing/billing.refunds\",\"desk-general/general.help\"]"));
  }
}
