package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark dev}'s in-process agent workers run the same semantic probe as {@code ark agent}: the
 * agent whose model does not give the expected answer turns Degraded (and its team with it), the
 * one answering an upstream HEALTHY prompt does not.
 */
@Timeout(180)
class DevProbeTest {
  @Test
  void aRoleWhoseProbeFailsDegradesItsAgentAndTeam(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("desk.yaml"),
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: desk
          namespace: ark-teams
        spec:
          entry: lead
          roles:
            - name: lead
              model: mock-model
              canDelegate: [writer]
              livenessProbe:
                type: semantic
                intervalSeconds: 1
                validatorPrompt: "Are you working? Reply with exactly one word: HEALTHY"
            - name: writer
              model: mock-model
              livenessProbe:
                type: semantic
                intervalSeconds: 1
                validatorPrompt: "Write one line about the sea."
        """);
    try (DevRuntime dev = new DevRuntime(dir, 0, "mock", Duration.ZERO)) {
      await()
          .atMost(Duration.ofSeconds(120))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                ArkAgent writer =
                    dev.client()
                        .resources(ArkAgent.class)
                        .inNamespace("ark-teams")
                        .withName("desk-writer")
                        .get();
                assertThat(writer).isNotNull();
                assertThat(writer.getStatus().getConditions())
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("Degraded");
                          assertThat(c.getStatus().getValue()).isEqualTo("True");
                          assertThat(c.getMessage())
                              .startsWith(
                                  "1 of 1 replica failing the semantic probe; last answer:"
                                      + " \"[mock:mock-model")
                              .contains("Write one line about the sea.");
                        });
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                ArkAgent lead =
                    dev.client()
                        .resources(ArkAgent.class)
                        .inNamespace("ark-teams")
                        .withName("desk-lead")
                        .get();
                assertThat(lead.getStatus().getConditions())
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("Degraded");
                          assertThat(c.getStatus().getValue()).isEqualTo("False");
                          assertThat(c.getReason()).isEqualTo("ProbesPassing");
                        });
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  Objects.equals(
                      "Degraded",
                      dev.client()
                          .resources(ArkTeam.class)
                          .inNamespace("ark-teams")
                          .withName("desk")
                          .get()
                          .getStatus()
                          .getPhase()
                          .getValue()));
    }
  }
}
