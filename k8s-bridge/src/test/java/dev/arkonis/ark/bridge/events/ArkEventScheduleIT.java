package dev.arkonis.ark.bridge.events;

import static dev.arkonis.ark.bridge.events.EventsFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.bridge.DevServer;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cron ArkEvent against a real Temporal dev server ({@code ARK_TEST_TEMPORAL_ADDRESS}, set by
 * {@code scripts/test}): the reconciler makes the Schedule, {@code temporal schedule trigger} fires
 * it into ArkRuns, {@code suspended} pauses it, deleting the event deletes it.
 */
@EnableKubernetesMockClient(crud = true)
class ArkEventScheduleIT {
  static final Duration WAIT = Duration.ofSeconds(30);
  static KubernetesClient client;

  private String address;
  private WorkflowServiceStubs service;
  private WorkerFactory workers;
  private EventsFixture fixture;
  private ScheduleClient schedules;
  private String ns;
  private final List<String> created = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    address = DevServer.address();
    service = DevServer.stubs();
    WorkflowClient temporal = DevServer.client(service);
    schedules =
        ScheduleClient.newInstance(
            service, ScheduleClientOptions.newBuilder().setNamespace("default").build());
    workers = WorkerFactory.newInstance(temporal);
    ns = "it-" + UUID.randomUUID().toString().substring(0, 8);
    fixture =
        new EventsFixture(
            client, ns, temporal, workers.newWorker(TeamRunWorkflow.TASK_QUEUE), false);
    workers.start();
    fixture.start();
  }

  @AfterEach
  void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
    for (String id : created) {
      try {
        schedules.getHandle(id).delete();
      } catch (RuntimeException e) {
        // deleted by the test
      }
    }
    if (workers != null) {
      workers.shutdown();
      workers.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (service != null) {
      service.shutdown();
    }
  }

  @Test
  void cronEventIsATemporalScheduleThatFiresPausesAndGoes() throws Exception {
    String id = "arkevent/" + ns + "/nightly";
    created.add(id);
    fixture.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: nightly}
        spec:
          source: {type: cron, cron: "0 6 * * 1-5", timezone: America/New_York}
          targets:
            - {team: digest, input: {task: "digest of {{ .trigger.firedAt }}"}}
            - {team: audit}
        """);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode ready = condition(fixture.status(ArkEvent.class, "nightly"), "Ready");
              assertThat(ready.path("reason").asText()).isEqualTo("Scheduled");
              assertThat(ready.path("message").asText()).contains("Temporal Schedule " + id);
            });
    ScheduleDescription description = schedules.getHandle(id).describe();
    assertThat(description.getSchedule().getSpec().getTimeZoneName()).isEqualTo("America/New_York");
    assertThat(cronOf(description)).isEqualTo("0 6 * * 1-5");
    assertThat(description.getSchedule().getPolicy().getOverlap())
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
    assertThat(
            ((ScheduleActionStartWorkflow) description.getSchedule().getAction()).getWorkflowType())
        .isEqualTo("EventFire");
    Instant next = description.getInfo().getNextActionTimes().get(0);
    assertThat(next.atZone(java.time.ZoneId.of("America/New_York")).getHour()).isEqualTo(6);
    await()
        .atMost(WAIT)
        .until(
            () ->
                next.toString()
                    .equals(fixture.status(ArkEvent.class, "nightly").path("nextFireAt").asText()));

    String trigger = temporal("schedule", "trigger", "--schedule-id", id);
    assertThat(trigger).doesNotContainIgnoringCase("error");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(fixture.runs())
                    .extracting(r -> r.getSpec().getTeamRef().getName())
                    .containsExactlyInAnyOrder("digest", "audit"));
    for (ArkRun run : fixture.runs()) {
      assertThat(run.getMetadata().getLabels()).containsEntry("arkonis.dev/event", "nightly");
    }
    await()
        .atMost(WAIT)
        .until(() -> fixture.status(ArkEvent.class, "nightly").path("firedCount").asLong() == 1);

    client
        .resources(ArkEvent.class)
        .inNamespace(ns)
        .withName("nightly")
        // A merge patch of the spec alone: the operator writes this object's metadata too, so
        // an edit carrying the read resourceVersion can lose the race with a 409.
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspended\":true}}");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode state = describeJson(id).findValue("state");
              assertThat(state).as("temporal schedule describe: state").isNotNull();
              assertThat(state.path("paused").asBoolean()).isTrue();
              assertThat(state.toString()).contains("suspended");
            });
    await()
        .atMost(WAIT)
        .until(
            () ->
                "Suspended"
                    .equals(
                        condition(fixture.status(ArkEvent.class, "nightly"), "Ready")
                            .path("reason")
                            .asText()));
    assertThat(fixture.status(ArkEvent.class, "nightly").has("nextFireAt")).isFalse();

    client.resources(ArkEvent.class).inNamespace(ns).withName("nightly").delete();
    await().atMost(WAIT).until(() -> fixture.event("nightly") == null);
    assertThatThrownBy(() -> schedules.getHandle(id).describe())
        .hasStackTraceContaining("NOT_FOUND");
  }

  /** The cron of a described schedule: as given, or as the server's structured calendar. */
  private String cronOf(ScheduleDescription description) throws IOException {
    List<String> crons = description.getSchedule().getSpec().getCronExpressions();
    if (crons != null && !crons.isEmpty()) {
      return crons.get(0);
    }
    // the server compiles cron strings into calendars; `temporal schedule describe` shows them
    JsonNode calendar =
        describeJson(CronSchedules.id(ns, "nightly")).findValue("structuredCalendar");
    assertThat(calendar).as("structured calendar of the schedule").isNotNull();
    JsonNode first = calendar.get(0);
    return value(first.path("minute"))
        + " "
        + value(first.path("hour"))
        + " * * "
        + value(first.path("dayOfWeek"));
  }

  private static String value(JsonNode ranges) {
    JsonNode range = ranges.get(0);
    int start = range.path("start").asInt();
    int end = range.path("end").asInt(start);
    return end > start ? start + "-" + end : String.valueOf(start);
  }

  private JsonNode describeJson(String id) throws IOException {
    return new ObjectMapper()
        .readTree(temporal("schedule", "describe", "--schedule-id", id, "--output", "json"));
  }

  /** Runs the temporal CLI against the test's server; returns its output. */
  private String temporal(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(System.getenv().getOrDefault("TEMPORAL_CLI", "temporal"));
    command.addAll(List.of(args));
    command.addAll(List.of("--address", address, "--namespace", "default"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("timed out: " + String.join(" ", command));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      fail(String.join(" ", command) + " failed (" + process.exitValue() + "):\n" + output);
    }
    return output.toLowerCase(Locale.ROOT).contains("error:") ? fail(output) : output;
  }
}
