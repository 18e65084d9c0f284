package dev.arkonis.ark.bridge.reconcile;

import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.NS;
import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ArkTeams the operator must refuse or cannot serve: an invalid spec, names no agent can carry, an
 * agent the API server rejects — each a {@code Ready=False} condition and a Warning Event, nothing
 * half-created.
 */
@EnableKubernetesMockClient(crud = true)
class ArkTeamRejectionsTest {
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
  void invalidTeamGetsInvalidSpecAndNothingElse() {
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: broken}
        spec:
          entry: lead
          roles:
            - {name: lead, model: gpt-4o, canDelegate: [reviewer]}
            - {name: writer, model: gpt-4o}
        """);
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkTeam.class, "broken"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("False");
              assertThat(ready.path("reason").asText()).isEqualTo("InvalidSpec");
              assertThat(ready.path("message").asText()).contains("canDelegate", "reviewer");
            });
    assertThat(k8s.status(ArkTeam.class, "broken").path("phase").asText()).isEqualTo("Error");
    assertThat(client.resources(ArkAgent.class).inNamespace(NS).list().getItems()).isEmpty();
    assertThat(k8s.deployments()).isEmpty();
    assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
    k8s.awaitWarning("InvalidSpec", "ArkTeam", "broken", "reviewer");
  }

  static Stream<Arguments> teamsTheApiServerCannotHoldAgentsFor() {
    String longTeam = "a-team-whose-name-is-far-too-long-to-be-a-kubernetes-label-value-x";
    String team54 = "research-and-writing-team-for-the-weekly-news-briefing";
    return Stream.of(
        Arguments.of(
            longTeam,
            "{entry: writer, roles: [{name: writer, model: gpt-4o}]}",
            "metadata.name: team name \"" + longTeam + "\" is longer than 63 characters"),
        Arguments.of(
            team54,
            "{entry: writer, roles: [{name: writer, model: gpt-4o}, {name: fact-checker, model:"
                + " gpt-4o}]}",
            "spec.roles[1].name: agent name \"" + team54 + "-fact-checker\" is longer than 63"),
        Arguments.of(
            "dns-team",
            "{entry: Lead_Writer, roles: [{name: Lead_Writer, model: gpt-4o}]}",
            "spec.roles[0].name: role name \"Lead_Writer\" is not a DNS-1123 label"),
        Arguments.of(
            "empty-team",
            "{pipeline: [], roles: [{name: writer, model: gpt-4o}]}",
            "spec.pipeline: pipeline has no steps"));
  }

  /**
   * Objects the CRD's CEL rules reject but a cluster without them (or an object stored before them)
   * can hold: the operator reports them once instead of retrying agent creation forever.
   */
  @ParameterizedTest
  @MethodSource("teamsTheApiServerCannotHoldAgentsFor")
  void namesThatCannotBecomeAgentsAreInvalidSpec(String name, String spec, String message) {
    k8s.apply(
        ArkTeam.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkTeam\nmetadata: {name: "
            + name
            + "}\nspec: "
            + spec
            + "\n");
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkTeam.class, name), "Ready");
              assertThat(ready.path("reason").asText()).isEqualTo("InvalidSpec");
              assertThat(ready.path("message").asText()).contains(message);
            });
    assertThat(k8s.status(ArkTeam.class, name).path("phase").asText()).isEqualTo("Error");
    assertThat(client.resources(ArkAgent.class).inNamespace(NS).list().getItems()).isEmpty();
    assertThat(k8s.deployments()).isEmpty();
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .filteredOn(e -> e.getInvolvedObject().getName().equals(name))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("InvalidSpec");
              assertThat(e.getMessage()).contains(message);
            });
  }

  @Test
  void anAgentTheApiServerRejectsIsTheTeamsConditionAndAWarning() {
    server
        .expect()
        .post()
        .withPath("/apis/arkonis.dev/v1alpha1/namespaces/" + NS + "/arkagents")
        .andReturn(
            422,
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("Invalid")
                .withCode(422)
                .withMessage(
                    "ArkAgent.arkonis.dev \"solo-writer\" is invalid: spec.model: Required value")
                .build())
        .times(8); // ~4 s of refusals with the fixture's 50 ms..1 s backoff: observable under load
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: solo}
        spec:
          roles: [{name: writer, model: gpt-4o}]
          pipeline: [{name: write, role: writer}]
        """);
    await()
        .untilAsserted(
            () -> {
              JsonNode status = k8s.status(ArkTeam.class, "solo");
              assertThat(status.path("phase").asText()).isEqualTo("Error");
              JsonNode ready = condition(status, "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("False");
              assertThat(ready.path("reason").asText()).isEqualTo("Invalid");
              assertThat(ready.path("message").asText())
                  .contains("role writer: cannot create or update ArkAgent " + NS + "/solo-writer")
                  .contains("spec.model: Required value")
                  .contains("fix the field");
            });
    k8s.awaitWarning("Invalid", null, null, null);
    // retried with backoff: once accepted, the agent exists and the error is gone
    await().until(() -> k8s.exists(ArkAgent.class, "solo-writer"));
    await()
        .untilAsserted(
            () ->
                assertThat(k8s.status(ArkTeam.class, "solo").path("phase").asText())
                    .isEqualTo("Pending"));
  }
}
