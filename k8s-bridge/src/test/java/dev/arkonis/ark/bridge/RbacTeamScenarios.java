package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.NS;
import static dev.arkonis.ark.bridge.RbacFixture.WAIT;
import static dev.arkonis.ark.bridge.RbacFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * {@link RbacUsageTest}'s team and agent scenarios: what roles refer to, a team becoming Ready, an
 * agent's repeated transitions, and changes to teams and agents.
 */
final class RbacTeamScenarios {
  static final String CREW =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata: {name: crew}
      spec:
        successfulRunsHistoryLimit: 1
        inputs:
          - {name: topic, type: string, required: true}
        roles:
          - {name: lead, model: gpt-4o, systemPrompt: Plan the work.}
          - name: writer
            model: gpt-4o
            configRef: {name: house-style}
            systemPromptRef:
              configMapKeyRef: {name: prompts, key: writer}
          - name: reviewer
            model: gpt-4o
            systemPromptRef:
              secretKeyRef: {name: prompt-secret, key: reviewer}
          - {name: helper, arkAgent: shared-helper}
        pipeline:
          - role: lead
            inputs: {prompt: "Plan a post about {{ .input.topic }}."}
          - role: writer
            dependsOn: [lead]
            inputs: {prompt: "Write it: {{ .steps.lead.output }}"}
          - role: reviewer
            dependsOn: [writer]
            inputs: {prompt: "Review it: {{ .steps.writer.output }}"}
          - role: helper
            dependsOn: [writer]
            inputs: {prompt: "Summarise it: {{ .steps.writer.output }}"}
        output: "{{ .steps.helper.output }}"
      """;

  private final RbacFixture cluster;
  private final KubernetesClient client;

  RbacTeamScenarios(RbacFixture cluster) {
    this.cluster = cluster;
    this.client = cluster.client();
  }

  /** What roles refer to: a prompt ConfigMap and Secret, ArkSettings, a standalone ArkAgent. */
  void references() {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("prompts")
                .endMetadata()
                .addToData("writer", "Write well.")
                .build())
        .create();
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("prompt-secret")
                .endMetadata()
                .addToData(
                    "reviewer",
                    Base64.getEncoder()
                        .encodeToString("Review carefully.".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    cluster.apply(
        ArkSettings.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkSettings
        metadata: {name: house-style}
        spec: {temperature: "0.2", promptFragments: {persona: You are terse.}}
        """);
    cluster.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: shared-helper}
        spec: {model: gpt-4o}
        """);
  }

  /** A team: managed agents, their ConfigMaps and Deployments, status, then Ready. */
  void teamCreated() {
    cluster.apply(ArkTeam.class, CREW);
    List<String> agents = List.of("crew-lead", "crew-writer", "crew-reviewer", "shared-helper");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode ready = condition(cluster.status(ArkTeam.class, "crew"), "Ready");
              assertThat(ready.path("reason").asText()).isEqualTo("AgentsNotReady");
              for (String agent : agents) {
                assertThat(client.apps().deployments().inNamespace(NS).withName(agent).get())
                    .as(agent)
                    .isNotNull();
              }
            });
    for (String agent : agents) {
      cluster.setReady(agent, 1);
    }
    cluster.awaitPhase(ArkTeam.class, "crew", "Ready");
  }

  /**
   * An agent loses its ready replica and gets it back: the same Normal event (and the team's) is
   * recorded again, which bumps the existing Event.
   */
  void repeatedTransitionsBumpTheirEvent() {
    cluster.awaitReady("shared-helper", "True");
    cluster.setReady("shared-helper", 0);
    cluster.awaitReady("shared-helper", "False");
    cluster.awaitPhase(ArkTeam.class, "crew", "Pending");
    cluster.setReady("shared-helper", 1);
    cluster.awaitReady("shared-helper", "True");
    cluster.awaitPhase(ArkTeam.class, "crew", "Ready");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("shared-helper");
                          assertThat(e.getReason()).isEqualTo("ReplicasReady");
                          assertThat(e.getCount()).isEqualTo(2);
                        }));
  }

  /**
   * Spec, prompt and replica changes update the agents, ConfigMaps and Deployments; a removed role
   * loses its agent; an invalid team gets InvalidSpec; a Deployment name taken by someone else is a
   * conflict.
   */
  void teamAndAgentChanges() {
    String leadHash = cluster.configHash("crew-lead");
    cluster.editTeam(
        "crew",
        t -> {
          t.getSpec().getRoles().get(0).setSystemPrompt("Plan the work, briefly.");
          return t;
        });
    await().atMost(WAIT).until(() -> !cluster.configHash("crew-lead").equals(leadHash));

    String writerHash = cluster.configHash("crew-writer");
    client
        .configMaps()
        .inNamespace(NS)
        .withName("prompts")
        .edit(c -> new ConfigMapBuilder(c).addToData("writer", "Write even better.").build());
    await().atMost(WAIT).until(() -> !cluster.configHash("crew-writer").equals(writerHash));

    client
        .resources(ArkAgent.class)
        .inNamespace(NS)
        .withName("shared-helper")
        .edit(
            a -> {
              a.getSpec().setReplicas(2);
              return a;
            });
    await().atMost(WAIT).until(() -> cluster.replicas("shared-helper") == 2);

    cluster.editTeam(
        "crew",
        t -> {
          t.getSpec().getRoles().removeIf(r -> r.getName().equals("reviewer"));
          t.getSpec().getPipeline().removeIf(s -> "reviewer".equals(s.getRole()));
          return t;
        });
    cluster.awaitGone(ArkAgent.class, "crew-reviewer");
    cluster.awaitPhase(ArkTeam.class, "crew", "Ready");

    cluster.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: broken}
        spec:
          entry: lead
          roles:
            - {name: lead, model: gpt-4o, canDelegate: [reviewer]}
        """);
    await()
        .atMost(WAIT)
        .until(
            () -> "Error".equals(cluster.status(ArkTeam.class, "broken").path("phase").asText()));

    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("taken")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", "taken")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "taken")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example.com/app:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    cluster.apply(
        ArkAgent.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkAgent\nmetadata: {name: taken}\n"
            + "spec: {model: gpt-4o}\n");
    await()
        .atMost(WAIT)
        .until(
            () ->
                "ResourceConflict"
                    .equals(
                        condition(cluster.status(ArkAgent.class, "taken"), "Ready")
                            .path("reason")
                            .asText()));
  }
}
