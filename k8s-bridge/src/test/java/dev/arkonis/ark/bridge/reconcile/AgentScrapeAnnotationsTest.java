package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Prometheus' pod discovery finds an agent replica's {@code /metrics} on its health port. */
class AgentScrapeAnnotationsTest {
  @Test
  void agentPodsCarryTheScrapeAnnotationsOfTheirHealthPort() {
    ArkAgent agent = new ArkAgent();
    agent.setMetadata(
        new ObjectMetaBuilder().withName("writer").withNamespace("ns").withUid("u-1").build());
    Deployment deployment =
        AgentWorkload.deployment(
            agent,
            new AgentConfig(Map.of("model", "gpt-4o"), null, "h-1", null),
            new KubernetesSerialization(),
            "ark:test",
            "temporal:7233",
            "default");

    Map<String, String> annotations =
        deployment.getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations)
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(AgentWorkload.HTTP_PORT))
        .containsEntry("prometheus.io/path", "/metrics")
        .containsKey("arkonis.dev/config-hash");
    assertThat(
            deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0))
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(AgentWorkload.HTTP_PORT));
  }
}
