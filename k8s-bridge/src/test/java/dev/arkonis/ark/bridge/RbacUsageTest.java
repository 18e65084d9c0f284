package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.LEASE_NS;
import static dev.arkonis.ark.bridge.RbacFixture.NS;
import static dev.arkonis.ark.bridge.RbacFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ClusterPromptSecrets;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.RbacRecorder.Permission;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The RBAC the operator needs, taken from what it does: the real {@link OperatorRuntime} (leader
 * election, informer bridge, team/agent/run reconcilers, the orchestration worker's status writes)
 * runs against a CRUD mock API server through every path that talks to the API server, every
 * request its client sends is mapped to (apiGroup, resource[/subresource], verb) the way the API
 * server authorizes it, and the set must be exactly the checked-in contract: {@code
 * deploy/rbac/contract.txt} (the ClusterRole, or the Role in {@code watchNamespace}) and {@code
 * deploy/rbac/leader-election.txt} (the Role in the release namespace). The cli's {@code
 * RbacContractTest} checks that the Helm chart grants exactly those files. The observed set is
 * written to {@code target/rbac-observed.txt}.
 *
 * <p>Only the operator's requests count: it talks through its own client, told apart by its
 * User-Agent ({@link RbacRecorder}); what the test sets up and reads (CRDs, objects, what kubelets
 * and users would do) goes through another client ({@link RbacFixture}). The scenarios are {@link
 * RbacTeamScenarios}, {@link RbacRunScenarios}, {@link RbacEventScenarios}, {@link
 * RbacNotifyScenarios}, {@link RbacRegistryScenarios} and {@link RbacDashboardScenarios}.
 */
@EnableKubernetesMockClient(crud = true)
class RbacUsageTest {
  static final String IDENTITY = "ark-operator-0";

  /** Kept so the level sticks: the mock server logs every request at INFO. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  KubernetesMockServer server;

  /** The test's own client: setup, what users and kubelets do, and checks; not recorded. */
  KubernetesClient client;

  @Test
  void theOperatorUsesExactlyTheRbacContract() throws Exception {
    MOCK_LOG.setLevel(Level.WARNING);
    RbacFixture cluster = new RbacFixture(client);
    RbacRecorder recorder = new RbacRecorder(server);
    cluster.installCrds();
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    registerAgentWorkers(env, client);
    KubernetesClient operatorClient = RbacRecorder.operatorClient(client);
    OperatorRuntime runtime =
        new OperatorRuntime(
                operatorClient,
                env.getWorkflowClient(),
                env.getWorkerFactory(),
                new OperatorRuntime.Settings(
                    null,
                    "temporal:7233",
                    "default",
                    "ghcr.io/arkonis-dev/ark:test",
                    LEASE_NS,
                    IDENTITY))
            .withServices(
                new dev.arkonis.ark.bridge.a2a.ArkServiceReconciler.Settings(
                    "127.0.0.1", "10.0.0.9", java.time.Duration.ofSeconds(5)));
    RbacTeamScenarios teams = new RbacTeamScenarios(cluster);
    KubernetesClient admissionClient = RbacRecorder.admissionClient(client);
    try {
      new RbacAdmissionScenarios(cluster).admission(admissionClient);
      runtime.start();
      String acquired = leaderElection(cluster);
      teams.references();
      teams.teamCreated();
      teams.repeatedTransitionsBumpTheirEvent();
      new RbacRunScenarios(cluster).runs();
      new RbacEventScenarios(cluster).events(operatorClient, env.getWorkflowClient());
      new RbacNotifyScenarios(cluster).notifications();
      new RbacServiceScenarios(cluster).services();
      new RbacRegistryScenarios(cluster).registries();
      new RbacMemoryScenarios(cluster).memories();
      new RbacDashboardScenarios(cluster).dashboard(operatorClient, env.getWorkflowClient());
      teams.teamAndAgentChanges();
      // the leader renews
      await().atMost(WAIT).until(() -> !cluster.renewTime().equals(acquired));
    } finally {
      runtime.close(); // gives the Lease up
      env.close();
      operatorClient.close();
      admissionClient.close();
    }

    Map<String, Set<Permission>> byAgent = recorder.observedByAgent();
    Set<Permission> observed = byAgent.get(RbacRecorder.USER_AGENT);
    Files.writeString(
        Path.of("target/rbac-observed.txt"),
        observed.stream().map(Permission::toString).collect(Collectors.joining("\n", "", "\n")));

    assertThat(observed)
        .isNotEmpty()
        .contains(
            Permission.parse("arkonis.dev arkteams list"),
            Permission.parse("arkonis.dev arkteams watch"),
            Permission.parse("arkonis.dev arkagents create"),
            Permission.parse("arkonis.dev arkruns/status update"),
            Permission.parse("apps deployments create"),
            Permission.parse("core configmaps create"),
            Permission.parse("core events create"),
            Permission.parse("core events patch"),
            Permission.parse("arkonis.dev arkevents watch"),
            Permission.parse("arkonis.dev arkevents/status update"),
            Permission.parse("arkonis.dev arkruns create"),
            Permission.parse("core secrets create"),
            Permission.parse("coordination.k8s.io leases get"));
    Set<Permission> leases =
        observed.stream()
            .filter(p -> p.resource().equals("leases"))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<Permission> operator = new TreeSet<>(observed);
    operator.removeAll(leases);
    RbacRecorder.assertExactly(operator, "contract.txt");
    RbacRecorder.assertExactly(leases, "leader-election.txt");
    RbacRecorder.assertExactly(
        byAgent.getOrDefault(RbacRecorder.ADMISSION_USER_AGENT, Set.of()), "admission.txt");
  }

  /**
   * Events are created once and patched on repeats, never read or replaced; an Event recorded by an
   * earlier leader (this recorder does not know it) is patched too, and its count goes on.
   */
  @Test
  void eventsAreCreatedThenPatched() throws Exception {
    MOCK_LOG.setLevel(Level.WARNING);
    RbacFixture cluster = new RbacFixture(client);
    RbacRecorder requests = new RbacRecorder(server);
    cluster.installCrds();
    ArkTeam team =
        cluster.apply(
            ArkTeam.class,
            "apiVersion: arkonis.dev/v1alpha1\nkind: ArkTeam\nmetadata: {name: t}\nspec: {}\n");
    requests.drain();
    KubernetesClient operatorClient = RbacRecorder.operatorClient(client);
    try {
      EventRecorder recorder = new EventRecorder(operatorClient, "ark-operator", Clock.systemUTC());
      recorder.warning(team, "InvalidSpec", "broken");
      recorder.warning(team, "InvalidSpec", "broken");
      // a new leader records the same Event again
      new EventRecorder(operatorClient, "ark-operator", Clock.systemUTC())
          .warning(team, "InvalidSpec", "broken");
      recorder.normal(team, "AgentsReady", "ready");
    } finally {
      operatorClient.close();
    }

    List<Event> events = client.v1().events().inNamespace(NS).list().getItems();
    assertThat(events)
        .extracting(Event::getReason, Event::getCount)
        .containsExactlyInAnyOrder(tuple("InvalidSpec", 3), tuple("AgentsReady", 1));
    assertThat(requests.observed())
        .containsExactlyInAnyOrder(
            Permission.parse("core events create"), Permission.parse("core events patch"));
  }

  /** The replica takes the Lease, then starts the bridge; returns the Lease's renew time. */
  private static String leaderElection(RbacFixture cluster) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Lease lease = cluster.lease();
              assertThat(lease).isNotNull();
              assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(IDENTITY);
            });
    return cluster.renewTime();
  }

  private static void registerAgentWorkers(TestWorkflowEnvironment env, KubernetesClient client) {
    ToolActivitiesImpl tools = new ToolActivitiesImpl(Map.of());
    // the agents' own reads (their prompt Secret) are not the operator's: the admin client
    AgentActivitiesImpl fast =
        new AgentActivitiesImpl(new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT))
            .withPromptSecrets(new ClusterPromptSecrets(client));
    for (String agent :
        List.of(
            "crew-lead",
            "crew-writer",
            "crew-reviewer",
            "shared-helper",
            RbacNotifyScenarios.AGENT,
            RbacRegistryScenarios.AGENTS.get(0),
            RbacRegistryScenarios.AGENTS.get(1))) {
      env.newWorker(RunPlan.taskQueue(NS, agent)).registerActivitiesImplementations(fast, tools);
    }
    AgentActivitiesImpl slow =
        new AgentActivitiesImpl(
            new ModelFactory(
                Map.of(),
                "mock",
                MockChatModel.Options.DEFAULT.withLatency(Duration.ofSeconds(3))));
    env.newWorker(RunPlan.taskQueue(NS, "slowpoke-a"))
        .registerActivitiesImplementations(slow, tools);
  }
}
