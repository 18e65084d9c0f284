package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.Fixtures;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.InputStream;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code spec.retryOf}: refused for a run that has not finished; truncated reuse is flagged. */
@EnableKubernetesMockClient(crud = true)
class RetryOfTest {
  static final String NS = "ark-retry";
  static KubernetesClient client;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TestWorkflowEnvironment env;
  private ArkRunReconciler reconciler;

  @BeforeEach
  void setUp() throws Exception {
    CrdCatalog.install(client);
    env = TestWorkflowEnvironment.newInstance(); // no workers: the old runs' workflows are gone
    reconciler =
        new ArkRunReconciler(
            client,
            env.getWorkflowClient(),
            new StatusWriter(client),
            Clock.systemUTC(),
            (r, reason, m) -> {});
    try (InputStream in = Fixtures.open("blog-writer-team.yaml")) {
      client.load(in).inNamespace(NS).createOrReplace();
    }
  }

  @AfterEach
  void tearDown() {
    env.close();
    client.resources(ArkRun.class).inNamespace(NS).delete();
    client.resources(ArkTeam.class).inNamespace(NS).delete();
  }

  private void createRun(String name, String retryOf, ObjectNode status) {
    String yaml =
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\nspec:\n  teamRef:\n    name: blog-writer-team\n  input: {topic: Retry}\n"
            + (retryOf == null ? "" : "  retryOf: " + retryOf + "\n");
    ArkRun run =
        client
            .resources(ArkRun.class)
            .inNamespace(NS)
            .resource(client.getKubernetesSerialization().unmarshal(yaml, ArkRun.class))
            .create();
    if (status != null) {
      ObjectNode tree = client.getKubernetesSerialization().convertValue(run, ObjectNode.class);
      tree.set("status", status);
      client
          .resources(ArkRun.class)
          .inNamespace(NS)
          .resource(client.getKubernetesSerialization().convertValue(tree, ArkRun.class))
          .updateStatus();
    }
  }

  private JsonNode status(String name) {
    ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName(name).get();
    return client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
  }

  @Test
  void aRetryOfARunThatIsStillRunningFailsWithoutStarting() {
    createRun("busy", null, JSON.createObjectNode().put("phase", "Running"));
    createRun("too-soon", "{run: busy}", null);

    reconciler.reconcile(NS, "too-soon");

    JsonNode status = status("too-soon");
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("message").asText())
        .startsWith("spec.retryOf.run: ArkRun busy is still Running; only a finished run");
    assertThat(status.has("workflowId")).isFalse();
  }

  @Test
  void reusingTruncatedOutputsFromTheStatusSetsACondition() {
    String longOutput = "x".repeat(4096) + "\n… (truncated; 9000 characters in total)";
    ObjectNode old = JSON.createObjectNode().put("phase", "Failed");
    old.putArray("steps")
        .add(
            JSON.createObjectNode()
                .put("name", "researcher")
                .put("role", "researcher")
                .put("phase", "Succeeded")
                .put("output", longOutput))
        .add(
            JSON.createObjectNode()
                .put("name", "writer")
                .put("role", "writer")
                .put("phase", "Failed"));
    createRun("old", null, old);
    createRun("again", "{run: old}", null);

    reconciler.reconcile(NS, "again");

    JsonNode status = status("again");
    assertThat(status.path("workflowId").asText()).isEqualTo("arkrun/" + NS + "/again");
    JsonNode condition = Conditions.find(status, Conditions.OUTPUTS_TRUNCATED);
    assertThat(condition.path("status").asText()).isEqualTo("True");
    assertThat(condition.path("reason").asText()).isEqualTo("WorkflowResultUnavailable");
    assertThat(condition.path("message").asText())
        .startsWith("spec.retryOf: the result of ArkRun old's workflow could not be read (")
        .contains("step researcher reuses the output kept in its status, truncated to 4096")
        .endsWith("retry with fromStep to run it again in full");
  }
}
