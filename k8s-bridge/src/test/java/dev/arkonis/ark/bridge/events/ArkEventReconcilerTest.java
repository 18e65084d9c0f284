package dev.arkonis.ark.bridge.events;

import static dev.arkonis.ark.bridge.events.EventsFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** ArkEvent reconciler against the in-process Temporal test server (no Schedule API). */
@EnableKubernetesMockClient(crud = true)
class ArkEventReconcilerTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static KubernetesClient client;
  static KubernetesMockServer server;

  private TestWorkflowEnvironment env;
  private EventsFixture fixture;
  private String ns;

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    ns = "ev-" + test.getTestMethod().orElseThrow().getName().toLowerCase().substring(0, 12);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    fixture =
        new EventsFixture(
            client, ns, env.getWorkflowClient(), env.newWorker(TeamRunWorkflow.TASK_QUEUE), false);
    env.start();
    fixture.start();
  }

  @AfterEach
  void tearDown() {
    fixture.close();
    env.close();
  }

  @Test
  void cronFallsBackToTheTimerWorkflowUpdatesItAndCancelsItOnDelete() {
    fixture.apply(ArkEvent.class, cronEvent("nightly", "0 3 * * *", "Europe/Berlin"));
    String id = "arkevent/" + ns + "/nightly";

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode ready = condition(fixture.status(ArkEvent.class, "nightly"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("True");
              assertThat(ready.path("reason").asText()).isEqualTo("Scheduled");
              assertThat(ready.path("message").asText())
                  .contains("timer workflow " + id, "no Schedule API", "Europe/Berlin");
            });
    JsonNode status = fixture.status(ArkEvent.class, "nightly");
    Instant next = Instant.parse(status.path("nextFireAt").asText());
    assertThat(next).isAfter(Instant.now());
    assertThat(next.atZone(java.time.ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(3);
    assertThat(status.path("observedGeneration").asLong()).isPositive();
    assertThat(fixture.event("nightly").getMetadata().getFinalizers())
        .contains(ArkEventReconciler.FINALIZER);
    assertThat(describe(id).getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    assertThat(describe(id).getWorkflowType()).isEqualTo("CronEvent");
    assertThat(updateSignals(id)).isZero();

    client
        .resources(ArkEvent.class)
        .inNamespace(ns)
        .withName("nightly")
        .edit(
            e -> {
              e.getSpec().getSource().setCron("30 4 * * *");
              return e;
            });
    await().atMost(WAIT).until(() -> updateSignals(id) == 1);
    await()
        .atMost(WAIT)
        .until(
            () ->
                Instant.parse(fixture.status(ArkEvent.class, "nightly").path("nextFireAt").asText())
                        .atZone(java.time.ZoneId.of("Europe/Berlin"))
                        .getMinute()
                    == 30);

    client.resources(ArkEvent.class).inNamespace(ns).withName("nightly").delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                describe(id).getStatus()
                    == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    await().atMost(WAIT).until(() -> fixture.event("nightly") == null);
    assertThat(updateSignals(id)).isEqualTo(1); // re-reconciles signal nothing new
  }

  @Test
  void suspendedCronHasNoNextFire() {
    fixture.apply(ArkEvent.class, cronEvent("paused", "*/5 * * * *", null) + "  suspended: true\n");
    await()
        .atMost(WAIT)
        .until(
            () ->
                "Suspended"
                    .equals(
                        condition(fixture.status(ArkEvent.class, "paused"), "Ready")
                            .path("reason")
                            .asText()));
    assertThat(fixture.status(ArkEvent.class, "paused").has("nextFireAt")).isFalse();
    assertThat(describe("arkevent/" + ns + "/paused").getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
  }

  @Test
  void webhookGetsATokenSecretAndItsUrl() {
    ArkEvent event =
        fixture.apply(
            ArkEvent.class,
            """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata: {name: support}
            spec:
              source: {type: webhook}
              targets:
                - team: support-team
                  input: {message: "{{ .trigger.body.message }}"}
            """);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(fixture.status(ArkEvent.class, "support").path("webhookURL").asText())
                    .isEqualTo("https://ark.example.com/triggers/" + ns + "/support"));
    JsonNode ready = condition(fixture.status(ArkEvent.class, "support"), "Ready");
    assertThat(ready.path("reason").asText()).isEqualTo("WebhookReady");
    Secret secret = client.secrets().inNamespace(ns).withName("support-token").get();
    String token = token(secret);
    assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("ArkEvent");
              assertThat(o.getName()).isEqualTo("support");
              assertThat(o.getUid()).isEqualTo(event.getMetadata().getUid());
            });
    assertThat(ready.path("message").asText()).doesNotContain(token);
    assertThat(fixture.event("support").getMetadata().getFinalizers()).isNullOrEmpty();

    // a re-reconcile keeps the token; deleting the Secret rotates it at the next reconcile
    client
        .resources(ArkEvent.class)
        .inNamespace(ns)
        .withName("support")
        .edit(
            e -> {
              e.getSpec().setSuspended(true);
              return e;
            });
    await()
        .atMost(WAIT)
        .until(
            () ->
                "Suspended"
                    .equals(
                        condition(fixture.status(ArkEvent.class, "support"), "Ready")
                            .path("reason")
                            .asText()));
    assertThat(token(client.secrets().inNamespace(ns).withName("support-token").get()))
        .isEqualTo(token);
    client.secrets().inNamespace(ns).withName("support-token").delete();
    client
        .resources(ArkEvent.class)
        .inNamespace(ns)
        .withName("support")
        .edit(
            e -> {
              e.getSpec().setSuspended(false);
              return e;
            }); // the next reconcile makes a new token
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Secret again = client.secrets().inNamespace(ns).withName("support-token").get();
              assertThat(again).isNotNull();
              assertThat(token(again)).isNotEqualTo(token);
            });
  }

  /** A refused request (RBAC, admission) is the event's condition and a Warning, then retried. */
  @Test
  void aForbiddenTokenSecretIsTheEventsConditionAndAWarningUntilAllowed() {
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/" + ns + "/secrets")
        .andReturn(
            403,
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("Forbidden")
                .withCode(403)
                .withMessage(
                    "secrets is forbidden: User \"system:serviceaccount:ark:ark\" cannot create"
                        + " resource \"secrets\" in API group \"\" in the namespace \""
                        + ns
                        + "\"")
                .build())
        .times(8); // ~4 s of refusals with the fixture's 50 ms..1 s backoff
    fixture.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: guarded}
        spec:
          source: {type: webhook}
          targets: [{team: support-team}]
        """);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode ready = condition(fixture.status(ArkEvent.class, "guarded"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("False");
              assertThat(ready.path("reason").asText()).isEqualTo("Forbidden");
              assertThat(ready.path("message").asText())
                  .contains("cannot set up ArkEvent " + ns + "/guarded")
                  .contains("cannot create resource \"secrets\"")
                  .contains("deploy/rbac/contract.txt");
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .extracting(Event::getType, Event::getReason)
                    .contains(org.assertj.core.groups.Tuple.tuple("Warning", "Forbidden")));
    // once the API server allows it, the token is made and the condition clears by itself
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        condition(fixture.status(ArkEvent.class, "guarded"), "Ready")
                            .path("reason")
                            .asText())
                    .isEqualTo("WebhookReady"));
    assertThat(client.secrets().inNamespace(ns).withName("guarded-token").get()).isNotNull();
  }

  @Test
  void invalidSpecIsAConditionAndAWarningAndStartsNothing() {
    fixture.apply(ArkEvent.class, cronEvent("broken", "61 * * * *", null));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode ready = condition(fixture.status(ArkEvent.class, "broken"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("False");
              assertThat(ready.path("reason").asText()).isEqualTo("InvalidSpec");
              assertThat(ready.path("message").asText()).contains("spec.source.cron");
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .extracting(Event::getType, Event::getReason)
                    .contains(org.assertj.core.groups.Tuple.tuple("Warning", "InvalidSpec")));
    assertThat(catchNotFound(() -> describe("arkevent/" + ns + "/broken"))).isTrue();
  }

  @Test
  void oneFireFansOutToEveryTarget() {
    fixture.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: fan}
        spec:
          source: {type: webhook}
          targets:
            - {team: alpha, input: {topic: "{{ .trigger.body.topic }}"}}
            - {team: beta, input: {topic: "{{ .trigger.body.topic }}"}}
            - {team: gamma}
        """);
    await().atMost(WAIT).until(() -> fixture.status(ArkEvent.class, "fan").has("webhookURL"));
    JsonNode spec = fixture.tree(fixture.event("fan")).path("spec");
    EventSpec parsed = EventSpec.of(ns, "fan", spec);
    EventFireWorkflow fire =
        env.getWorkflowClient()
            .newWorkflowStub(
                EventFireWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(EventFireWorkflow.workflowId(ns, "fan", "hook-1"))
                    .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                    .build());
    WorkflowClient.start(
        fire::fire,
        new EventFireWorkflow.FireRequest(
            ns, "fan", Map.of("body", Map.of("topic", "ops")), parsed.targets(), false, "hook-1"));

    await().atMost(WAIT).until(() -> fixture.runs().size() == 3);
    List<ArkRun> runs = fixture.runs();
    assertThat(runs)
        .extracting(r -> r.getSpec().getTeamRef().getName())
        .containsExactlyInAnyOrder("alpha", "beta", "gamma");
    for (ArkRun run : runs) {
      assertThat(run.getMetadata().getLabels()).containsEntry("arkonis.dev/event", "fan");
      assertThat(run.getSpec().getTriggeredBy().getKind()).isEqualTo("ArkEvent");
      assertThat(run.getSpec().getTriggeredBy().getName()).isEqualTo("fan");
    }
    assertThat(
            fixture
                .tree(
                    runs.stream()
                        .filter(r -> r.getMetadata().getName().startsWith("alpha-"))
                        .findFirst()
                        .orElseThrow())
                .path("spec")
                .path("input")
                .path("topic")
                .asText())
        .isEqualTo("ops");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode status = fixture.status(ArkEvent.class, "fan");
              assertThat(status.path("firedCount").asLong()).isEqualTo(1);
              assertThat(status.path("lastRuns")).hasSize(3);
              assertThat(status.path("lastFiredAt").asText()).isNotEmpty();
            });
  }

  // ---------------------------------------------------------------------------------------------

  static String cronEvent(String name, String cron, String timezone) {
    return """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: %s}
        spec:
          source: {type: cron, cron: "%s"%s}
          targets:
            - team: reporter
              input: {task: "report for {{ .trigger.firedAt }}"}
        """
        .formatted(name, cron, timezone == null ? "" : ", timezone: " + timezone);
  }

  private io.temporal.client.WorkflowExecutionDescription describe(String id) {
    return env.getWorkflowClient().newUntypedWorkflowStub(id).describe();
  }

  private long updateSignals(String id) {
    List<HistoryEvent> events = env.getWorkflowClient().fetchHistory(id).getEvents();
    return events.stream()
        .filter(HistoryEvent::hasWorkflowExecutionSignaledEventAttributes)
        .filter(
            e -> e.getWorkflowExecutionSignaledEventAttributes().getSignalName().equals("update"))
        .count();
  }

  private static boolean catchNotFound(Runnable call) {
    try {
      call.run();
      return false;
    } catch (WorkflowNotFoundException e) {
      return true;
    }
  }

  private static String token(Secret secret) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.US_ASCII);
  }
}
