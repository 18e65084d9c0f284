package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the TeamRun histories at the top of {@code src/test/resources/histories} on the
 * time-skipping test server; {@code WorkflowHistoryReplayTest} replays them in every build.
 *
 * <p>Recording (only when a change is meant to alter history, with a version guard for the old
 * path): {@code mvn -pl workflows test -Dtest=TeamRunReplayTest -Dark.recordHistories=true} writes
 * {@code src/test/resources/histories/*.json}; keep the old files too.
 */
class TeamRunReplayTest {
  private static final Path HISTORIES = Path.of("src/test/resources/histories");

  @Test
  @EnabledIfSystemProperty(named = "ark.recordHistories", matches = "true")
  void record() throws IOException {
    Files.createDirectories(HISTORIES);
    record(
        "diamond-succeeded",
        Plans.builder()
            .step(Plans.step("a"))
            .step(Plans.step("b", "a"))
            .step(Plans.step("c", "a"))
            .step(Plans.step("d", "b", "c"))
            .output("{{ .steps.d.output }}")
            .build(),
        FakeAgents.echo());
    record(
        "budget-exceeded",
        Plans.builder().step(Plans.step("a")).step(Plans.step("b", "a")).maxTokens(20, 0).build(),
        FakeAgents.echo());
    record(
        "schema-retry-failed",
        Plans.builder()
            .step(
                new StepSpec(
                    "r",
                    "r",
                    List.of(),
                    Map.of("prompt", "x"),
                    "{\"type\":\"object\"}",
                    null,
                    null,
                    null,
                    0,
                    -1))
            .build(),
        new FakeAgents(r -> FakeAgents.reply("no", null, List.of("$: not JSON"))));
    record(
        "if-loop-validate",
        Plans.builder()
            .step(Plans.step("a"))
            .step(
                new StepSpec(
                    "skip",
                    "skip",
                    List.of("a"),
                    Map.of(),
                    null,
                    "eq .steps.a.output \"x\"",
                    null,
                    null,
                    0,
                    -1))
            .step(
                new StepSpec(
                    "loop",
                    "loop",
                    List.of("skip"),
                    Map.of("prompt", "{{ .steps.a.output }}"),
                    null,
                    null,
                    new StepSpec.Loop("{{ ne .steps.loop.output \"loop done\" }}", 3),
                    new StepSpec.Validation("VALID or INVALID", "retry", 1),
                    0,
                    -1))
            .build(),
        FakeAgents.echo());
    record(
        "notify-succeeded",
        Plans.builder().step(Plans.step("a")).build().withNotify("alerts"),
        FakeAgents.echo());
    record(
        "retried-then-timed-out",
        Plans.builder().step(Plans.step("a")).timeout(3).build(),
        new FakeAgents(
            r -> {
              throw ApplicationFailure.newFailure("overloaded", "ProviderUnavailable");
            }));
  }

  private static void record(String name, RunPlan plan, FakeAgents agents) throws IOException {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
      env.newWorker(TeamRunWorkflow.TASK_QUEUE)
          .registerActivitiesImplementations((NotifyActivities) notification -> {});
      plan.agents().values().stream()
          .map(a -> a.taskQueue())
          .distinct()
          .forEach(q -> env.newWorker(q).registerActivitiesImplementations(agents));
      env.start();
      String id = "arkrun/test/" + name;
      TeamRunWorkflow workflow =
          env.getWorkflowClient()
              .newWorkflowStub(
                  TeamRunWorkflow.class,
                  WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue("replay").build());
      WorkflowClient.start(workflow::run, plan);
      WorkflowStub.fromTyped(workflow).getResult(RunStatus.class);
      String json = env.getWorkflowClient().fetchHistory(id).toJson(true);
      Files.writeString(HISTORIES.resolve(name + ".json"), json);
    } finally {
      env.close();
    }
  }
}
