package dev.arkonis.ark.workflows.events;

import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireRequest;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.Target;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records EventFire histories on the time-skipping test server ({@code WorkflowHistoryReplayTest}
 * replays them in every build). The files in {@code src/test/resources/histories/event-fire} were
 * recorded by the code of their time (the timer + {@code runStates} polling loop); keep them.
 *
 * <p>Recording: {@code mvn -pl workflows test -Dtest=EventFireReplayTest
 * -Dark.recordHistories=true}.
 */
class EventFireReplayTest {
  private static final Path HISTORIES = Path.of("src/test/resources/histories/event-fire");

  @Test
  @EnabledIfSystemProperty(named = "ark.recordHistories", matches = "true")
  void record() throws IOException {
    Files.createDirectories(HISTORIES);
    record("waited-polling", false);
    record("cancelled-while-polling", true);
  }

  private static void record(String name, boolean cancel) throws IOException {
    FakeEvents events = new FakeEvents();
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      env.newWorker("fires").registerWorkflowImplementationTypes(WorkflowTypes.ALL);
      env.newWorker(TeamRunWorkflow.TASK_QUEUE).registerActivitiesImplementations(events);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      EventFireWorkflow fire =
          client.newWorkflowStub(
              EventFireWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId(name).setTaskQueue("fires").build());
      WorkflowClient.start(
          fire::fire,
          new FireRequest(
              "team-ns",
              "daily",
              Map.of("body", Map.of("message", "otters")),
              List.of(new Target("writer", Map.of("task", "{{ .trigger.body.message }}"))),
              true,
              name));
      env.sleep(Duration.ofSeconds(90));
      String run = events.createdNames().get(0).get(0);
      WorkflowStub stub = WorkflowStub.fromTyped(fire);
      if (cancel) {
        stub.cancel();
      } else {
        events.finish(run, "Succeeded", "an essay");
      }
      try {
        stub.getResult(Object.class);
      } catch (RuntimeException e) {
        // cancelled
      }
      WorkflowExecutionHistory history = client.fetchHistory(name);
      Files.writeString(HISTORIES.resolve(name + ".json"), history.toJson(true));
    }
  }
}
