package dev.arkonis.ark.bridge.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.ReportedException;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ArkMemoryReconcilerTest {
  KubernetesMockServer server;
  KubernetesClient client;
  ArkMemoryReconciler reconciler;

  @BeforeEach
  void setUp() {
    CrdCatalog.install(client);
    reconciler =
        new ArkMemoryReconciler(
            client,
            new EventRecorder(client, "ark-operator", Clock.systemUTC()),
            Clock.systemUTC());
  }

  private void apply(String yaml) {
    ArkMemory memory = client.getKubernetesSerialization().unmarshal(yaml, ArkMemory.class);
    client.resources(ArkMemory.class).inNamespace("team").resource(memory).create();
  }

  private JsonNode status(String name) {
    return client
        .getKubernetesSerialization()
        .convertValue(
            client.resources(ArkMemory.class).inNamespace("team").withName(name).get(),
            JsonNode.class)
        .path("status");
  }

  @Test
  void aRedisThatIsDownIsMemoryUnavailableWithoutTheSecretInTheMessage() {
    client
        .secrets()
        .inNamespace("team")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("redis-creds")
                .endMetadata()
                .withStringData(Map.of("REDIS_URL", "redis://:topsecret@127.0.0.1:1/0"))
                .build())
        .create();
    apply(
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkMemory
        metadata: {name: notes}
        spec: {backend: redis, redis: {secretRef: {name: redis-creds}}}
        """);

    assertThatThrownBy(() -> reconciler.reconcile("team", "notes"))
        .isInstanceOf(ReportedException.class);

    JsonNode status = status("notes");
    JsonNode ready = Conditions.find(status, Conditions.READY);
    JsonNode unavailable = Conditions.find(status, ArkMemoryReconciler.MEMORY_UNAVAILABLE);
    assertThat(ready.path("status").asText()).isEqualTo("False");
    assertThat(ready.path("reason").asText()).isEqualTo("BackendUnreachable");
    assertThat(unavailable.path("status").asText()).isEqualTo("True");
    assertThat(unavailable.path("message").asText())
        .startsWith("ArkMemory team/notes (redis): cannot recall: ")
        .doesNotContain("topsecret");
    assertThat(status.toString()).doesNotContain("topsecret");
  }

  @Test
  void aMissingSecretIsNamed() {
    apply(
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkMemory
        metadata: {name: notes}
        spec: {backend: redis, redis: {secretRef: {name: nowhere}}}
        """);
    assertThatThrownBy(() -> reconciler.reconcile("team", "notes"))
        .isInstanceOf(ReportedException.class);
    assertThat(
            Conditions.find(status("notes"), ArkMemoryReconciler.MEMORY_UNAVAILABLE)
                .path("message")
                .asText())
        .contains("Secret team/nowhere key REDIS_URL cannot be read");
  }

  @Test
  void inContextIsReadyAtOnce() {
    apply(
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkMemory
        metadata: {name: recent}
        spec: {backend: in-context}
        """);
    reconciler.reconcile("team", "recent");
    JsonNode status = status("recent");
    assertThat(Conditions.find(status, Conditions.READY).path("status").asText()).isEqualTo("True");
    assertThat(
            Conditions.find(status, ArkMemoryReconciler.MEMORY_UNAVAILABLE).path("status").asText())
        .isEqualTo("False");
    assertThat(status.path("observedGeneration").isNumber()).isTrue();
  }
}
