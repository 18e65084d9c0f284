package dev.arkonis.ark.bridge.events;

import static dev.arkonis.ark.bridge.events.EventsFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Team-output events chaining real runs (mock model) on the Temporal test server. */
@EnableKubernetesMockClient(crud = true)
class TeamOutputEventTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static KubernetesClient client;

  private TestWorkflowEnvironment env;
  private EventsFixture fixture;
  private String ns;

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    ns = test.getTestMethod().orElseThrow().getName().startsWith("chain") ? "chain" : "history";
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    fixture =
        new EventsFixture(
            client, ns, env.getWorkflowClient(), env.newWorker(TeamRunWorkflow.TASK_QUEUE), true);
    EventsFixture.agentWorkers(env.getWorkerFactory(), ns, "team-a", "team-b", "team-c");
    env.start();
    fixture.start();
  }

  @AfterEach
  void tearDown() {
    fixture.close();
    env.close();
  }

  @Test
  void chainRunsATeamThenBThenC() {
    for (String team : List.of("team-a", "team-b", "team-c")) {
      fixture.apply(ArkTeam.class, EventsFixture.team(team));
    }
    fixture.apply(ArkEvent.class, after("b-after-a", "team-a", "team-b"));
    fixture.apply(ArkEvent.class, after("c-after-b", "team-b", "team-c"));
    awaitWatching("b-after-a");
    awaitWatching("c-after-b");

    fixture.apply(ArkRun.class, run("a-1", "team-a"));

    ArkRun c = await().atMost(WAIT).until(() -> succeededRunOf("team-c"), r -> r != null);
    ArkRun a = fixture.runs().stream().filter(r -> name(r).equals("a-1")).findFirst().orElseThrow();
    ArkRun b = succeededRunOf("team-b");
    assertThat(b).isNotNull();
    JsonNode as = fixture.tree(a).path("status");
    JsonNode bs = fixture.tree(b).path("status");
    JsonNode cs = fixture.tree(c).path("status");
    assertThat(time(bs, "startTime")).isAfterOrEqualTo(time(as, "completionTime"));
    assertThat(time(cs, "startTime")).isAfterOrEqualTo(time(bs, "completionTime"));
    // B got A's output through {{ .trigger.output }}, and knows which run fired it
    assertThat(fixture.tree(b).path("spec").path("input").path("task").asText())
        .isEqualTo(as.path("output").asText());
    assertThat(b.getMetadata().getLabels()).containsEntry("arkonis.dev/event", "b-after-a");
    assertThat(c.getMetadata().getLabels()).containsEntry("arkonis.dev/event", "c-after-b");
    assertThat(fixture.tree(c).path("spec").path("input").path("task").asText())
        .isEqualTo(bs.path("output").asText());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode status = fixture.status(ArkEvent.class, "b-after-a");
              assertThat(status.path("firedCount").asLong()).isEqualTo(1);
              assertThat(status.path("lastRuns").get(0).path("name").asText()).isEqualTo(name(b));
              assertThat(
                      TeamOutputFires.firedEvents(
                          client.resources(ArkRun.class).inNamespace(ns).withName("a-1").get()))
                  .containsExactly("b-after-a");
            });
    // one fire per source run, however often the events are reconciled again
    fixture.events.reconcile(ns, "b-after-a");
    fixture.events.reconcile(ns, "c-after-b");
    assertThat(fixture.runs()).hasSize(3);
    assertThat(fixture.status(ArkEvent.class, "c-after-b").path("firedCount").asLong())
        .isEqualTo(1);
  }

  @Test
  void historyDoesNotFireOnlyRunsThatEndAfterTheEventExists() {
    fixture.apply(ArkTeam.class, EventsFixture.team("team-a"));
    fixture.apply(ArkTeam.class, EventsFixture.team("team-b"));
    fixture.apply(ArkRun.class, run("a-old", "team-a"));
    ArkRun old = await().atMost(WAIT).until(() -> succeededRunOf("team-a"), r -> r != null);
    Instant finished = time(fixture.tree(old).path("status"), "completionTime");
    // creationTimestamp has whole seconds: let the second in which a-old finished pass
    await().until(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS).isAfter(finished));

    fixture.apply(ArkEvent.class, after("b-after-a", "team-a", "team-b"));
    awaitWatching("b-after-a");
    assertThatThrownBy(
            () ->
                env.getWorkflowClient()
                    .newUntypedWorkflowStub(EventFireWorkflow.workflowId(ns, "b-after-a", "a-old"))
                    .describe())
        .isInstanceOf(WorkflowNotFoundException.class);

    fixture.apply(ArkRun.class, run("a-new", "team-a"));
    ArkRun b = await().atMost(WAIT).until(() -> succeededRunOf("team-b"), r -> r != null);
    assertThat(fixture.status(ArkEvent.class, "b-after-a").path("firedCount").asLong())
        .isEqualTo(1);
    assertThat(
            env.getWorkflowClient()
                .newUntypedWorkflowStub(EventFireWorkflow.workflowId(ns, "b-after-a", "a-new"))
                .describe()
                .getWorkflowType())
        .isEqualTo("EventFire");
    assertThat(fixture.runs()).extracting(TeamOutputEventTest::name).contains(name(b));
    assertThat(fixture.runs()).hasSize(3); // a-old, a-new, one of team-b
  }

  // ---------------------------------------------------------------------------------------------

  static String after(String event, String source, String target) {
    return """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: %s}
        spec:
          source:
            type: team-output
            teamOutput: {name: %s}
          targets:
            - team: %s
              input: {task: "{{ .trigger.output }}"}
        """
        .formatted(event, source, target);
  }

  static String run(String name, String team) {
    return """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata: {name: %s}
        spec:
          teamRef: {name: %s}
          input: {task: "Begin the chain."}
        """
        .formatted(name, team);
  }

  private void awaitWatching(String event) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                "Watching"
                    .equals(
                        condition(fixture.status(ArkEvent.class, event), "Ready")
                            .path("reason")
                            .asText()));
  }

  private ArkRun succeededRunOf(String team) {
    return fixture.runs().stream()
        .filter(r -> team.equals(r.getSpec().getTeamRef().getName()))
        .filter(r -> "Succeeded".equals(fixture.tree(r).path("status").path("phase").asText()))
        .findFirst()
        .orElse(null);
  }

  private static String name(ArkRun run) {
    return run.getMetadata().getName();
  }

  private static Instant time(JsonNode status, String field) {
    return Instant.parse(status.path(field).asText());
  }
}
