package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ark run --temporal-address} against a real Temporal dev server (started by {@code
 * scripts/test}, address in {@code ARK_TEST_TEMPORAL_ADDRESS}), checked through the workflow's
 * history as Temporal recorded it.
 */
class RunOnDevServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEAM = "blog-writer-team";
  private static final String[] SLOW_MOCK = {"--mock-latency", "300ms"};

  private static String address;
  private static WorkflowServiceStubs service;
  private static WorkflowClient client;

  @BeforeAll
  static void connect() {
    address = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (address == null || address.isBlank()) {
      fail(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the integration tests with scripts/test, which"
              + " starts a Temporal dev server and sets it (or start one yourself with"
              + " 'temporal server start-dev' and export ARK_TEST_TEMPORAL_ADDRESS=host:port)");
    }
    service =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build(),
            Duration.ofSeconds(10));
    client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }

  @AfterAll
  static void disconnect() {
    if (service != null) {
      service.shutdownNow();
      service.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static JsonNode runBlogWriter(String topic, String... more) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                RunCommandTest.blogWriter(),
                "--provider",
                "mock",
                "--input",
                JSON.writeValueAsString(Map.of("topic", topic)),
                "--temporal-address",
                address,
                "-o",
                "json"));
    args.addAll(List.of(more));
    Cli result = Cli.run(args.toArray(String[]::new));
    assertThat(result.exitCode()).as("stderr: %s%nstdout: %s", result.err(), result.out()).isZero();
    JsonNode run = JSON.readTree(result.out());
    assertThat(run.path("status").path("phase").asText()).isEqualTo("Succeeded");
    return run;
  }

  @Test
  void everyLlmCallIsAChatActivityOnItsAgentsTaskQueue() throws IOException {
    JsonNode run = runBlogWriter("Temporal histories");
    String runName = run.path("metadata").path("name").asText();
    String workflowId = run.path("status").path("workflowId").asText();
    assertThat(workflowId).isEqualTo("arkrun/ark-teams/" + runName);

    WorkflowExecutionHistory history = client.fetchHistory(workflowId);

    List<HistoryEvent> events = history.getEvents();
    WorkflowExecutionStartedEventAttributes started =
        events.get(0).getWorkflowExecutionStartedEventAttributes();
    assertThat(started.getOriginalExecutionRunId())
        .isEqualTo(run.path("status").path("workflowRunId").asText());
    assertThat(events.get(0).getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    assertThat(started.getWorkflowType().getName()).isEqualTo("TeamRun");
    assertThat(started.getTaskQueue().getName()).isEqualTo("ark-orchestrator");
    assertThat(started.getMemo().getFieldsMap()).containsKeys("team", "input");
    assertThat(decode(started.getMemo().getFieldsOrThrow("team")).asText()).isEqualTo(TEAM);
    assertThat(decode(started.getMemo().getFieldsOrThrow("input")).path("topic").asText())
        .isEqualTo("Temporal histories");
    assertThat(events.get(events.size() - 1).getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);

    List<String> scheduledSteps = new ArrayList<>();
    for (HistoryEvent event : events) {
      if (event.getEventType() != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        continue;
      }
      ActivityTaskScheduledEventAttributes scheduled =
          event.getActivityTaskScheduledEventAttributes();
      assertThat(scheduled.getActivityType().getName()).isEqualTo("chat");
      JsonNode request = decode(scheduled.getInput().getPayloads(0));
      String step = request.path("step").asText();
      // blog-writer: every step is named after its role
      assertThat(scheduled.getTaskQueue().getName())
          .as("task queue of step %s", step)
          .isEqualTo("ark/ark-teams/" + TEAM + "-" + step);
      assertThat(request.path("agent").path("role").asText()).isEqualTo(step);
      scheduledSteps.add(step);
    }

    Map<String, Integer> attempts = new LinkedHashMap<>();
    int total = 0;
    for (JsonNode step : run.path("status").path("steps")) {
      attempts.put(step.path("name").asText(), step.path("attempts").asInt());
      total += step.path("attempts").asInt();
    }
    // no --mock-fail-rate: every call succeeds at its first try, so attempts count the calls
    assertThat(attempts)
        .containsOnlyKeys("researcher", "writer", "editor")
        .allSatisfy((name, n) -> assertThat(n).as("attempts of %s", name).isEqualTo(1));
    assertThat(scheduledSteps).hasSize(total).hasSizeGreaterThanOrEqualTo(3);
    assertThat(scheduledSteps).containsExactly("researcher", "writer", "editor");
    assertThat(count(events, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)).isEqualTo(total);
  }

  /**
   * Two {@code ark run}s of one team at once: each has its own workers, polling the same task
   * queues. The mock answers after 300 ms so the runs overlap.
   */
  @Test
  void concurrentRunsOfOneTeamSucceedAsSeparateWorkflows() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    JsonNode a;
    JsonNode b;
    try {
      Future<JsonNode> first = threads.submit(() -> runBlogWriter("first", SLOW_MOCK));
      Future<JsonNode> second = threads.submit(() -> runBlogWriter("second", SLOW_MOCK));
      a = finished(first, "first");
      b = finished(second, "second");
    } finally {
      threads.shutdownNow();
    }

    String idA = a.path("status").path("workflowId").asText();
    String idB = b.path("status").path("workflowId").asText();
    assertThat(idA).startsWith("arkrun/ark-teams/" + TEAM + "-").isNotEqualTo(idB);
    assertThat(idB).startsWith("arkrun/ark-teams/" + TEAM + "-");
    assertThat(a.path("spec").path("input").path("topic").asText()).isEqualTo("first");
    assertThat(b.path("spec").path("input").path("topic").asText()).isEqualTo("second");
    assertThat(Instant.parse(a.path("status").path("startTime").asText()))
        .as("the runs overlap")
        .isBefore(Instant.parse(b.path("status").path("completionTime").asText()));
    assertThat(Instant.parse(b.path("status").path("startTime").asText()))
        .isBefore(Instant.parse(a.path("status").path("completionTime").asText()));
    for (String id : List.of(idA, idB)) {
      List<HistoryEvent> events = client.fetchHistory(id).getEvents();
      assertThat(events.get(events.size() - 1).getEventType())
          .as("last event of %s", id)
          .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    }
  }

  /** The run's ArkRun; each run alone takes about a second. */
  private static JsonNode finished(Future<JsonNode> run, String topic) throws Exception {
    try {
      return run.get(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return fail(
          "the concurrent run \""
              + topic
              + "\" did not finish within 20 s; is one of its chat activities stuck (picked up by"
              + " the other run's worker, which then shut down)? See its history with 'temporal"
              + " workflow show'");
    }
  }

  private static long count(List<HistoryEvent> events, EventType type) {
    return events.stream().filter(e -> e.getEventType() == type).count();
  }

  /** A payload of Temporal's default (JSON) data converter. */
  private static JsonNode decode(Payload payload) throws IOException {
    return JSON.readTree(payload.getData().toStringUtf8());
  }
}
