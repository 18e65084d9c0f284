package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark dev}'s in-process agent workers read a Secret-backed system prompt from the Kubernetes
 * API; the run's status shows the model's answer (the mock names the prompt's {@code Role:} line)
 * and nothing else of the Secret.
 */
class DevSecretPromptTest {
  @Test
  void theAgentWorkerReadsThePromptSecretFromTheApi(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("team.yaml"),
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: prompts, namespace: default}
        stringData:
          writer: |
            Role: Nightjar the writer
            Vault phrase: OKAPI-5531-TANGO
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: vault, namespace: default}
        spec:
          roles:
            - name: writer
              model: mock-model
              systemPromptRef: {secretKeyRef: {name: prompts, key: writer}}
          pipeline:
            - role: writer
              inputs: {prompt: "say hi"}
        """);
    try (DevRuntime dev = new DevRuntime(dir, 0, "mock", Duration.ZERO)) {
      KubernetesClient client = dev.client();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.secrets().inNamespace("default").withName("prompts").get() != null);
      client
          .resource(
              client
                  .getKubernetesSerialization()
                  .unmarshal(
                      """
                      apiVersion: arkonis.dev/v1alpha1
                      kind: ArkRun
                      metadata: {name: vault-1, namespace: default}
                      spec: {teamRef: {name: vault}}
                      """,
                      HasMetadata.class))
          .create();

      JsonNode status =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      client
                          .getKubernetesSerialization()
                          .convertValue(
                              client
                                  .resources(ArkRun.class)
                                  .inNamespace("default")
                                  .withName("vault-1")
                                  .get(),
                              JsonNode.class)
                          .path("status"),
                  s -> s.path("phase").asText().matches("Succeeded|Failed"));

      assertThat(status.path("phase").asText()).as(status.toString()).isEqualTo("Succeeded");
      assertThat(status.toString()).contains("Nightjar the writer").doesNotContain("OKAPI");
    }
  }
}
