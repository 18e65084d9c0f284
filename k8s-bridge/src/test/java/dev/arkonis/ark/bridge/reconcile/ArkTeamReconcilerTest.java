package dev.arkonis.ark.bridge.reconcile;

import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.NS;
import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.Fixtures;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkRunStatus;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ArkTeam → managed agents, their workloads, team status and run history, via the operator. */
@EnableKubernetesMockClient(crud = true)
class ArkTeamReconcilerTest {
  static final String TEAM = "customer-support-team";
  static final String PREFIX = TEAM + "-";

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
  void customerSupportTeamGetsAgentsWorkloadsAndBecomesReady() throws Exception {
    customerSupportTeamBecomesReady(k8s, Fixtures.open("customer-support-team.yaml"));
  }

  /**
   * The customer-support team of {@code manifest} (this module's fixture, or the upstream recipe in
   * {@link ArkTeamReconcilerCompatTest}): agents, their workloads and config, then Ready.
   */
  static void customerSupportTeamBecomesReady(OperatorFixture k8s, InputStream manifest)
      throws Exception {
    KubernetesClient client = k8s.client;
    ArkTeam team = client.resource(firstTeam(client, manifest)).inNamespace(NS).create();
    List<String> roles = List.of("coordinator", "billing", "technical", "escalation");
    await().atMost(Duration.ofSeconds(30)).until(() -> k8s.deployments().size() == 4);

    for (String role : roles) {
      ArkAgent agent = k8s.get(ArkAgent.class, PREFIX + role);
      OwnerReference owner = agent.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getKind()).isEqualTo("ArkTeam");
      assertThat(owner.getUid()).isEqualTo(team.getMetadata().getUid());
      assertThat(owner.getController()).isTrue();
      assertThat(owner.getBlockOwnerDeletion()).isTrue();
      assertThat(agent.getMetadata().getLabels())
          .containsEntry("arkonis.dev/team", TEAM)
          .containsEntry("arkonis.dev/role", role)
          .containsEntry("app.kubernetes.io/managed-by", "ark");
      assertThat(agent.getSpec().getModel()).isEqualTo("qwen2.5:7b");
      assertThat(agent.getSpec().getLimits().getTimeoutSeconds()).isEqualTo(180);
    }
    assertThat(k8s.get(ArkAgent.class, PREFIX + "coordinator").getSpec().getReplicas())
        .isEqualTo(1);
    assertThat(k8s.get(ArkAgent.class, PREFIX + "billing").getSpec().getReplicas()).isEqualTo(3);
    ArkAgent technical = k8s.get(ArkAgent.class, PREFIX + "technical");
    assertThat(technical.getSpec().getReplicas()).isEqualTo(5);
    assertThat(technical.getSpec().getMcpServers().get(0).getName()).isEqualTo("knowledge-base");

    assertThat(k8s.replicas(PREFIX + "coordinator")).isEqualTo(1);
    assertThat(k8s.replicas(PREFIX + "billing")).isEqualTo(3);
    assertThat(k8s.replicas(PREFIX + "technical")).isEqualTo(5);
    assertThat(k8s.replicas(PREFIX + "escalation")).isEqualTo(1);
    Deployment billing = k8s.get(Deployment.class, PREFIX + "billing");
    assertThat(billing.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("ArkAgent");
    assertThat(billing.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("arkonis.dev/agent", PREFIX + "billing");
    Container container = billing.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(OperatorFixture.IMAGE);
    assertThat(container.getArgs())
        .containsExactly(
            "agent",
            "--task-queue",
            "ark/ark-teams/customer-support-team-billing",
            "--temporal-address",
            "temporal:7233",
            "--temporal-namespace",
            "default");
    assertThat(container.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("ark-api-keys");
    assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
    assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
    ConfigMap config = k8s.get(ConfigMap.class, PREFIX + "technical-config");
    assertThat(config.getData()).containsEntry("model", "qwen2.5:7b");
    assertThat(config.getData().get("systemPrompt")).startsWith("You are a technical support");
    assertThat(config.getData().get("mcpServers.json")).contains("knowledge-base");

    await().until(() -> "Pending".equals(k8s.status(ArkTeam.class, TEAM).path("phase").asText()));
    assertThat(condition(k8s.status(ArkTeam.class, TEAM), "Ready").path("reason").asText())
        .isEqualTo("AgentsNotReady");

    for (Deployment deployment : k8s.deployments()) {
      k8s.setReady(deployment.getMetadata().getName(), deployment.getSpec().getReplicas());
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode status = k8s.status(ArkTeam.class, TEAM);
              assertThat(status.path("phase").asText()).isEqualTo("Ready");
              assertThat(condition(status, "Ready").path("status").asText()).isEqualTo("True");
            });
    JsonNode status = k8s.status(ArkTeam.class, TEAM);
    assertThat(status.path("observedGeneration").asLong())
        .isEqualTo(k8s.get(ArkTeam.class, TEAM).getMetadata().getGeneration());
    assertThat(status.path("roles")).hasSize(4);
    JsonNode billingRole = status.path("roles").get(1);
    assertThat(billingRole.path("name").asText()).isEqualTo("billing");
    assertThat(billingRole.path("agent").asText()).isEqualTo(PREFIX + "billing");
    assertThat(billingRole.path("readyReplicas").asInt()).isEqualTo(3);
    JsonNode agentStatus = k8s.status(ArkAgent.class, PREFIX + "billing");
    assertThat(agentStatus.path("readyReplicas").asInt()).isEqualTo(3);
    assertThat(agentStatus.path("taskQueue").asText())
        .isEqualTo("ark/ark-teams/" + PREFIX + "billing");
    assertThat(agentStatus.path("selector").asText())
        .isEqualTo("arkonis.dev/agent=" + PREFIX + "billing");
    assertThat(condition(agentStatus, "Ready").path("status").asText()).isEqualTo("True");

    // nothing changed: reconciling everything again reads, but sends no write
    k8s.drainRequests();
    k8s.teams.reconcile(NS, TEAM);
    for (String role : roles) {
      k8s.agents.reconcile(NS, PREFIX + role);
    }
    List<RecordedRequest> requests = k8s.drainRequests();
    assertThat(requests).isNotEmpty();
    assertThat(requests).allSatisfy(r -> assertThat(r.getMethod()).isEqualTo("GET"));
  }

  @Test
  void aMissingArkAgentIsNamedUntilItExists() {
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: shared}
        spec:
          entry: helper
          roles:
            - {name: helper, arkAgent: shared-helper}
        """);
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkTeam.class, "shared"), "Ready");
              assertThat(ready.path("reason").asText()).isEqualTo("AgentMissing");
              assertThat(ready.path("message").asText()).contains("shared-helper");
            });
    k8s.apply(
        ArkAgent.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkAgent\nmetadata: {name: shared-helper}\n"
            + "spec: {model: gpt-4o}\n");
    await().until(() -> k8s.replicas("shared-helper") == 1);
    k8s.setReady("shared-helper", 1);
    await().until(() -> "Ready".equals(k8s.status(ArkTeam.class, "shared").path("phase").asText()));
    assertThat(k8s.status(ArkTeam.class, "shared").path("roles").get(0).path("agent").asText())
        .isEqualTo("shared-helper");
  }

  @Test
  void anAgentOverBudgetDegradesTheTeamAndATakenNameIsAConflict() {
    k8s.apply(
        ArkAgent.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkAgent\nmetadata: {name: mixed-b}\n"
            + "spec: {model: mine}\n");
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: mixed}
        spec:
          entry: a
          roles:
            - {name: a, model: gpt-4o, replicas: 0, canDelegate: [b]}
            - {name: b, model: gpt-4o}
        """);
    await()
        .untilAsserted(
            () -> {
              JsonNode status = k8s.status(ArkTeam.class, "mixed");
              assertThat(status.path("phase").asText()).isEqualTo("Error");
              assertThat(condition(status, "Ready").path("reason").asText())
                  .isEqualTo("AgentConflict");
              assertThat(condition(status, "Ready").path("message").asText()).contains("mixed-b");
            });
    assertThat(k8s.get(ArkAgent.class, "mixed-b").getSpec().getModel()).isEqualTo("mine");

    // the user gives the name up (the mock server has no garbage collector: delete dependents too)
    client.resources(ArkAgent.class).inNamespace(NS).withName("mixed-b").delete();
    client.apps().deployments().inNamespace(NS).withName("mixed-b").delete();
    client.configMaps().inNamespace(NS).withName("mixed-b-config").delete();
    await().until(() -> ownedByItsAgent("mixed-b"));
    // the mock server has no Deployment controller: an update of the new Deployment by its agent's
    // reconciler may replace the ready status set here, so it is set again until the team sees it
    await()
        .until(
            () -> {
              k8s.setReady("mixed-b", 1);
              return "Ready".equals(k8s.status(ArkTeam.class, "mixed").path("phase").asText());
            });
    client
        .resources(ArkAgent.class)
        .inNamespace(NS)
        .withName("mixed-a")
        .editStatus(
            a -> {
              var budget = new dev.arkonis.ark.crd.v1alpha1.arkagentstatus.Conditions();
              budget.setType("BudgetExceeded");
              budget.setStatus(dev.arkonis.ark.crd.v1alpha1.arkagentstatus.Conditions.Status.TRUE);
              budget.setReason("DailyBudgetExceeded");
              budget.setMessage("100000 tokens used today");
              budget.setLastTransitionTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
              a.getStatus().getConditions().add(budget);
              return a;
            });
    await()
        .untilAsserted(
            () -> {
              JsonNode status = k8s.status(ArkTeam.class, "mixed");
              assertThat(status.path("phase").asText()).isEqualTo("Degraded");
              assertThat(condition(status, "Ready").path("message").asText())
                  .contains("mixed-a", "BudgetExceeded");
            });
    // the agent reconciler keeps the condition it does not own
    assertThat(
            condition(k8s.status(ArkAgent.class, "mixed-a"), "BudgetExceeded")
                .path("status")
                .asText())
        .isEqualTo("True");
  }

  @Test
  void removingARoleDeletesItsManagedAgent() {
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: pair}
        spec:
          entry: a
          roles:
            - {name: a, model: gpt-4o, canDelegate: [b]}
            - {name: b, model: gpt-4o}
        """);
    await()
        .until(() -> k8s.exists(ArkAgent.class, "pair-a") && k8s.exists(ArkAgent.class, "pair-b"));
    await() // the operator writes the team's status meanwhile: a stale edit gets 409, edit again
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(
            () ->
                client
                        .resources(ArkTeam.class)
                        .inNamespace(NS)
                        .withName("pair")
                        .edit(
                            t -> {
                              t.getSpec().getRoles().remove(1);
                              t.getSpec().getRoles().get(0).setCanDelegate(null);
                              return t;
                            })
                    != null);
    await().until(() -> !k8s.exists(ArkAgent.class, "pair-b"));
    assertThat(k8s.exists(ArkAgent.class, "pair-a")).isTrue();
  }

  @Test
  void historyLimitsDeleteTheOldestFinishedRuns() {
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: hist}
        spec:
          entry: a
          successfulRunsHistoryLimit: 2
          roles:
            - {name: a, model: gpt-4o, replicas: 0}
        """);
    createRun("hist-old-failure", ArkRunStatus.Phase.FAILED, "2026-01-01T00:00:00Z");
    for (int i = 1; i <= 4; i++) {
      createRun("hist-" + i, ArkRunStatus.Phase.SUCCEEDED, "2026-01-01T00:00:0" + i + "Z");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(client.resources(ArkRun.class).inNamespace(NS).list().getItems())
                  .extracting(r -> r.getMetadata().getName())
                  .containsExactlyInAnyOrder("hist-old-failure", "hist-3", "hist-4");
              JsonNode lastRun = k8s.status(ArkTeam.class, "hist").path("lastRun");
              assertThat(lastRun.path("name").asText()).isEqualTo("hist-4");
              assertThat(lastRun.path("phase").asText()).isEqualTo("Succeeded");
              assertThat(lastRun.path("startTime").asText()).isEqualTo("2026-01-01T00:00:04Z");
            });
    // replicas 0 counts as paused, not as waiting
    assertThat(k8s.status(ArkTeam.class, "hist").path("phase").asText()).isEqualTo("Ready");
  }

  private boolean ownedByItsAgent(String name) {
    ArkAgent agent = k8s.get(ArkAgent.class, name);
    Deployment deployment = k8s.get(Deployment.class, name);
    return agent != null
        && deployment != null
        && deployment
            .getMetadata()
            .getOwnerReferences()
            .get(0)
            .getUid()
            .equals(agent.getMetadata().getUid());
  }

  private void createRun(String name, ArkRunStatus.Phase phase, String startTime) {
    k8s.apply(
        ArkRun.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\n  labels: {arkonis.dev/team: hist}\nspec:\n  teamRef: {name: hist}\n");
    client
        .resources(ArkRun.class)
        .inNamespace(NS)
        .withName(name)
        .editStatus(
            r -> {
              ArkRunStatus status = new ArkRunStatus();
              status.setPhase(phase);
              status.setStartTime(startTime);
              r.setStatus(status);
              return r;
            });
  }

  private static ArkTeam firstTeam(KubernetesClient client, InputStream manifest) throws Exception {
    try (InputStream in = manifest) {
      for (HasMetadata item : client.load(in).items()) {
        if (item.getKind().equals("ArkTeam")) {
          return client.getKubernetesSerialization().convertValue(item, ArkTeam.class);
        }
      }
    }
    throw new AssertionError("no ArkTeam in the manifest");
  }
}
