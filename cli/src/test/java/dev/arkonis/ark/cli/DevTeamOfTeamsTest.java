package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's path for roles with {@code arkTeam} ({@code ark dev}: the same reconcilers): the
 * team reports the child team as the role's, creates no agent for it, and an ArkRun runs the child
 * team as a child run whose steps show in the ArkRun's status.
 */
class DevTeamOfTeamsTest {
  @Test
  void anArkRunOfPublishingRunsTheReviewBoardAsAChildRun(@TempDir Path dir) throws Exception {
    Files.copy(Cli.repoRoot().resolve("examples/team-of-teams.yaml"), dir.resolve("teams.yaml"));
    try (DevRuntime dev = new DevRuntime(dir, 0, "mock", Duration.ZERO)) {
      KubernetesClient client = dev.client();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> tree(client, ArkTeam.class, "publishing").path("status").path("roles").size(),
              n -> n == 3);
      JsonNode team = tree(client, ArkTeam.class, "publishing");
      List<String> roles = new ArrayList<>();
      team.path("status").path("roles").forEach(r -> roles.add(r.toString()));
      assertThat(roles).contains("{\"arkTeam\":\"review-board\",\"name\":\"review\"}");
      // the parent waits for the child team as for an agent
      assertThat(condition(client, "publishing")).contains("ArkTeam review-board (Pending)");
      assertThat(
              client
                  .resources(ArkAgent.class)
                  .inNamespace("default")
                  .withName("publishing-review")
                  .get())
          .isNull();

      create(
          client,
          """
          apiVersion: arkonis.dev/v1alpha1
          kind: ArkRun
          metadata:
            name: publish-1
            namespace: default
          spec:
            teamRef:
              name: publishing
            input:
              topic: durable agents
          """);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> phase(client, ArkRun.class, "publish-1"), "Succeeded"::equals);
      JsonNode status = tree(client, ArkRun.class, "publish-1").path("status");
      List<String> steps = new ArrayList<>();
      status.path("steps").forEach(s -> steps.add(s.path("name").asText()));
      assertThat(steps)
          .containsExactly("writer", "review", "publisher", "review/critic", "review/editor");
      assertThat(status.path("steps").get(1).path("message").asText())
          .startsWith("ran ArkTeam review-board: Succeeded");
    }
  }

  @Test
  void aTeamWhoseChildTeamIsMissingWaitsForItAndTeamsThatRunEachOtherAreInvalid(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("teams.yaml"),
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: parent, namespace: default}
        spec:
          entry: sub
          roles:
            - {name: sub, arkTeam: later}
        """);
    try (DevRuntime dev = new DevRuntime(dir, 0, "mock", Duration.ZERO)) {
      KubernetesClient client = dev.client();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> condition(client, "parent"),
              m -> m.contains("ArkTeam later (role sub) not found"));
      assertThat(condition(client, "parent")).contains("create it or fix spec.roles[].arkTeam");

      // the child appears, running the parent again: a cycle
      create(
          client,
          """
          apiVersion: arkonis.dev/v1alpha1
          kind: ArkTeam
          metadata: {name: later, namespace: default}
          spec:
            entry: back
            roles:
              - {name: back, arkTeam: parent}
          """);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> condition(client, "parent"),
              m -> m.contains("leads back to it (parent → later → parent)"));
      assertThat(phase(client, ArkTeam.class, "parent")).isEqualTo("Error");
    }
  }

  private static void create(KubernetesClient client, String yaml) {
    client
        .resource(client.getKubernetesSerialization().unmarshal(yaml, HasMetadata.class))
        .create();
  }

  private static String condition(KubernetesClient client, String team) {
    for (JsonNode c : tree(client, ArkTeam.class, team).path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        return c.path("reason").asText() + ": " + c.path("message").asText();
      }
    }
    return "";
  }

  private static String phase(
      KubernetesClient client, Class<? extends HasMetadata> kind, String name) {
    return tree(client, kind, name).path("status").path("phase").asText();
  }

  private static JsonNode tree(
      KubernetesClient client, Class<? extends HasMetadata> kind, String name) {
    HasMetadata object = client.resources(kind).inNamespace("default").withName(name).get();
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }
}
