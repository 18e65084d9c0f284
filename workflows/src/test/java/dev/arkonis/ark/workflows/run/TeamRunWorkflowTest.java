package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TeamRunWorkflowTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  private RunStatus run(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, AgentActivities agents) {
    return start(env, worker, plan, agents).getResult(RunStatus.class);
  }

  private WorkflowStub start(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, AgentActivities agents) {
    return Plans.start(env, worker, plan, agents);
  }

  private static StepStatus step(RunStatus status, String name) {
    return Plans.step(status, name);
  }

  @Test
  void diamondRunsInDependencyOrderOnEachRolesQueue(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    RunPlan plan =
        Plans.builder()
            .step(Plans.step("a"))
            .step(Plans.step("b", "a"))
            .step(Plans.step("c", "a"))
            .step(Plans.step("d", "b", "c"))
            .output("{{ .steps.d.output }} / {{ .input.topic }}")
            .build();

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(status.output()).isEqualTo("d done / agents");
    assertThat(agents.stepsCalled().get(0)).isEqualTo("a");
    assertThat(agents.stepsCalled().get(3)).isEqualTo("d");
    assertThat(agents.calls)
        .allSatisfy(c -> assertThat(c.taskQueue()).isEqualTo("ark/test/team-" + c.step()));
    assertThat(status.totalTokenUsage()).isEqualTo(new TokenUsage(40, 20));
    assertThat(status.steps()).allSatisfy(s -> assertThat(s.attempts()).isEqualTo(1));
    assertThat(status.startTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  }

  @Test
  void budgetCrossedMidRunStopsTheRunNamingTheStep(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo(); // 15 tokens per call
    RunPlan plan =
        Plans.builder()
            .step(Plans.step("a"))
            .step(Plans.step("b", "a"))
            .step(Plans.step("c", "b"))
            .maxTokens(25, 0)
            .build();

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("BudgetExceeded");
    assertThat(status.failedStep()).isEqualTo("b");
    assertThat(status.message()).contains("token budget of 25 exceeded by step b", "30 used");
    assertThat(agents.stepsCalled()).containsExactly("a", "b");
    assertThat(step(status, "c").phase()).isEqualTo("Pending");
  }

  @Test
  void budgetCheckedBeforeTheCallWithItsMaxTokens(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    RunPlan plan =
        Plans.builder().step(Plans.step("a")).step(Plans.step("b", "a")).maxTokens(100, 90).build();

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("BudgetExceeded");
    assertThat(status.message()).contains("would be exceeded by step b");
    assertThat(agents.stepsCalled()).containsExactly("a");
  }

  @Test
  void runTimeoutEndsTimedOut(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> {
              throw ApplicationFailure.newFailure("provider overloaded", "ProviderUnavailable");
            });
    RunPlan plan = Plans.builder().step(Plans.step("a")).timeout(2).build();

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("TimedOut");
    assertThat(status.message()).contains("spec.timeoutSeconds (2s)");
    assertThat(step(status, "a").phase()).isEqualTo("TimedOut");
  }

  @Test
  void stepTimeoutFailsTheRunNamingTheStep(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> {
              throw ApplicationFailure.newFailure("provider overloaded", "ProviderUnavailable");
            });
    StepSpec slow =
        new StepSpec("slow", "slow", List.of(), Map.of(), null, null, null, null, 2, 10);
    RunStatus status = run(env, worker, Plans.builder().step(slow).build(), agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.failedStep()).isEqualTo("slow");
    assertThat(step(status, "slow").phase()).isEqualTo("TimedOut");
    assertThat(status.message()).contains("step exceeded timeoutSeconds (2s)");
  }

  @Test
  void activityFailingTwiceThenPassingShowsThreeAttempts(
      TestWorkflowEnvironment env, Worker worker) {
    AtomicInteger calls = new AtomicInteger();
    FakeAgents agents =
        new FakeAgents(
            r -> {
              if (calls.incrementAndGet() <= 2) {
                throw ApplicationFailure.newFailure("503 from provider", "ProviderUnavailable");
              }
              return FakeAgents.reply("finally");
            });

    RunStatus status = run(env, worker, Plans.builder().step(Plans.step("a")).build(), agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(step(status, "a").attempts()).isEqualTo(3);
    assertThat(step(status, "a").output()).isEqualTo("finally");
  }

  @Test
  void nonRetryableAuthErrorFailsFast(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> {
              throw ApplicationFailure.newNonRetryableFailure(
                  "openai rejected the API key (401); set OPENAI_API_KEY",
                  AgentActivities.AUTH_ERROR);
            });

    RunStatus status = run(env, worker, Plans.builder().step(Plans.step("a")).build(), agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(agents.calls).hasSize(1);
    assertThat(step(status, "a").attempts()).isEqualTo(1);
    assertThat(status.message()).contains("rejected the API key", "step a");
  }

  @Test
  void schemaViolationIsFedBackThenFails(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r ->
                FakeAgents.reply("{}", Map.of(), List.of("$: required property 'tone' not found")));
    StepSpec researcher =
        new StepSpec(
            "researcher",
            "researcher",
            List.of(),
            Map.of("prompt", "research"),
            "{\"type\":\"object\",\"required\":[\"tone\"]}",
            null,
            null,
            null,
            0,
            -1);

    RunStatus status = run(env, worker, Plans.builder().step(researcher).build(), agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.message())
        .contains("output does not match outputSchema after 3 attempts", "'tone'");
    assertThat(agents.calls).hasSize(3);
    assertThat(step(status, "researcher").attempts())
        .as("one attempt per model answer")
        .isEqualTo(3);
    assertThat(agents.calls.get(0).lastMessage())
        .contains(dev.arkonis.ark.workflows.api.ChatRequest.SCHEMA_MARKER, "\"tone\"");
    assertThat(agents.calls.get(1).lastMessage())
        .contains("does not match the required JSON Schema");
  }

  @Test
  void falseConditionSkipsAndDependentsStillRun(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    StepSpec maybe =
        new StepSpec(
            "maybe",
            "maybe",
            List.of("a"),
            Map.of(),
            null,
            "eq .steps.a.output \"something else\"",
            null,
            null,
            0,
            -1);
    RunPlan plan =
        Plans.builder().step(Plans.step("a")).step(maybe).step(Plans.step("z", "maybe")).build();

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(step(status, "maybe").phase()).isEqualTo("Skipped");
    assertThat(agents.stepsCalled()).containsExactly("a", "z");
  }

  @Test
  void loopRepeatsWhileConditionHolds(TestWorkflowEnvironment env, Worker worker) {
    AtomicInteger n = new AtomicInteger();
    FakeAgents agents = new FakeAgents(r -> FakeAgents.reply("draft " + n.incrementAndGet()));
    StepSpec draft =
        new StepSpec(
            "draft",
            "draft",
            List.of(),
            Map.of("prompt", "improve {{ .steps.draft.output }}"),
            null,
            null,
            new StepSpec.Loop("{{ ne .steps.draft.output \"draft 3\" }}", 10),
            null,
            0,
            -1);

    RunStatus status = run(env, worker, Plans.builder().step(draft).build(), agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(step(status, "draft").iterations()).isEqualTo(3);
    assertThat(step(status, "draft").output()).isEqualTo("draft 3");
    assertThat(agents.calls.get(2).lastMessage()).isEqualTo("improve draft 2");
  }

  @Test
  void loopStopsAtMaxIterations(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = new FakeAgents(r -> FakeAgents.reply("again"));
    StepSpec draft =
        new StepSpec(
            "draft",
            "draft",
            List.of(),
            Map.of("prompt", "go"),
            null,
            null,
            new StepSpec.Loop("true", 2),
            null,
            0,
            -1);

    RunStatus status = run(env, worker, Plans.builder().step(draft).build(), agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(step(status, "draft").iterations()).isEqualTo(2);
    assertThat(agents.calls).hasSize(2);
  }

  @Test
  void semanticValidationRetriesThenFails(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> FakeAgents.reply(r.purpose().equals("validate") ? "INVALID: no numbers" : "text"));
    StepSpec analyst =
        new StepSpec(
            "analyst",
            "analyst",
            List.of(),
            Map.of("prompt", "analyse"),
            null,
            null,
            null,
            new StepSpec.Validation("Has numbers? VALID or INVALID", "retry", 1),
            0,
            -1);

    RunStatus status = run(env, worker, Plans.builder().step(analyst).build(), agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.message())
        .contains("semantic validation failed after 2 tries: INVALID: no numbers");
    assertThat(agents.calls)
        .extracting(FakeAgents.Call::purpose)
        .containsExactly("task", "validate", "task", "validate");
  }

  /** "NOT VALID" contains VALID: only the first word counts, so it is a rejection. */
  @Test
  void aVerdictIsItsFirstWordOnly(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r ->
                FakeAgents.reply(
                    r.purpose().equals("validate") ? "The output is NOT VALID" : "text"));
    StepSpec analyst =
        new StepSpec(
            "analyst",
            "analyst",
            List.of(),
            Map.of("prompt", "analyse"),
            null,
            null,
            null,
            new StepSpec.Validation("Has numbers? VALID or INVALID", "fail", 0),
            0,
            -1);

    RunStatus status = run(env, worker, Plans.builder().step(analyst).build(), agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.message()).contains("The output is NOT VALID");
  }

  @Test
  void priorOutputsSkipSucceededSteps(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    RunPlan plan =
        Plans.builder()
            .step(Plans.step("a"))
            .step(Plans.step("b", "a"))
            .prior(Map.of("a", new RunPlan.PriorStep("old a", null, TokenUsage.ZERO)))
            .output("{{ .steps.a.output }} + {{ .steps.b.output }}")
            .build();

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(agents.stepsCalled()).containsExactly("b");
    assertThat(status.output()).isEqualTo("old a + b done");
  }

  @Test
  void cancellationRecordsCancelled(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> {
              throw ApplicationFailure.newFailure("provider overloaded", "ProviderUnavailable");
            });
    StepSpec stuck = new StepSpec("a", "a", List.of(), Map.of(), null, null, null, null, 0, 100);
    // with a run timeout: its timer ends with the cancelled run, which is Cancelled, not TimedOut
    WorkflowStub stub =
        start(env, worker, Plans.builder().step(stuck).timeout(600).build(), agents);
    env.sleep(Duration.ofSeconds(5));

    stub.cancel();

    assertThatThrownBy(() -> stub.getResult(RunStatus.class))
        .isInstanceOf(WorkflowFailedException.class);
    RunStatus status = stub.query("status", RunStatus.class);
    assertThat(status.phase()).isEqualTo("Cancelled");
    assertThat(step(status, "a").phase()).isEqualTo("Cancelled");
  }

  @Test
  void cancellationWhileCallsAndAStatusWriteAreInFlightRecordsCancelled(
      TestWorkflowEnvironment env, Worker worker) throws InterruptedException {
    CountDownLatch inFlight = new CountDownLatch(3);
    FakeAgents agents =
        new FakeAgents(
            r -> {
              inFlight.countDown();
              sleep(3_000);
              return FakeAgents.reply(r.step() + " done");
            });
    List<RunStatus> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    env.newWorker("status")
        .registerActivitiesImplementations(
            (RunStatusActivities)
                (ref, status) -> {
                  written.add(status);
                  if (status.steps().stream().allMatch(s -> s.phase().equals("Running"))) {
                    inFlight.countDown();
                    sleep(3_000);
                  }
                });
    RunPlan plan =
        Plans.builder()
            .step(Plans.step("a"))
            .step(Plans.step("b"))
            .build()
            .withStatusTaskQueue("status");
    WorkflowStub stub = start(env, worker, plan, agents);
    assertThat(inFlight.await(10, TimeUnit.SECONDS)).isTrue();

    stub.cancel();

    assertThatThrownBy(() -> stub.getResult(RunStatus.class))
        .isInstanceOf(WorkflowFailedException.class);
    RunStatus status = stub.query("status", RunStatus.class);
    assertThat(status.phase()).isEqualTo("Cancelled");
    assertThat(status.message()).isEqualTo("run cancelled");
    assertThat(status.failedStep()).isNull();
    assertThat(step(status, "a").phase()).isEqualTo("Cancelled");
    assertThat(step(status, "b").phase()).isEqualTo("Cancelled");
    // the last status written to the ArkRun says Cancelled too
    assertThat(written.get(written.size() - 1).phase()).isEqualTo("Cancelled");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
