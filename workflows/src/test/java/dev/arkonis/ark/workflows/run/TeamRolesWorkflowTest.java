package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Roles with {@code arkTeam}: a step runs another team as a child run. */
class TeamRolesWorkflowTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  private static final String CHILD_WORKFLOW = "arkrun/test/run-1/team/review";

  /** research → review (runs team review-team: critic → editor) → publish. */
  private static RunPlan parent(long maxTokens) {
    return parent(maxTokens, -1);
  }

  private static RunPlan parent(long maxTokens, int criticRetries) {
    RunPlan child =
        Plans.builder()
            .step(
                new StepSpec(
                    "critic",
                    "critic",
                    List.of(),
                    Map.of("prompt", "critique {{ .input.draft }} for {{ .input.audience }}"),
                    null,
                    null,
                    null,
                    null,
                    0,
                    criticRetries))
            .step(Plans.step("editor", "critic"))
            .output("edited: {{ .steps.editor.output }}")
            .build();
    child =
        new RunPlan(
                child.namespace(),
                null,
                "review-team",
                Map.of("audience", "engineers"),
                Map.of(),
                child.agents(),
                child.steps(),
                null,
                child.output(),
                0,
                0,
                3,
                Map.of())
            .withTeams(Map.of());
    StepSpec review =
        new StepSpec(
            "review",
            "reviewers",
            List.of("research"),
            Map.of("draft", "check {{ .steps.research.output }}"),
            null,
            null,
            null,
            null,
            0,
            -1);
    RunPlan built =
        Plans.builder()
            .step(Plans.step("research"))
            .step(review)
            .step(Plans.step("publish", "review"))
            .maxTokens(maxTokens, 0)
            .build();
    Map<String, AgentSpec> agents = new LinkedHashMap<>(built.agents());
    agents.remove("reviewers");
    return new RunPlan(
            built.namespace(),
            built.runName(),
            built.team(),
            built.input(),
            Map.of(),
            agents,
            built.steps(),
            null,
            null,
            0,
            maxTokens,
            3,
            Map.of())
        .withTeams(
            Map.of(
                "reviewers",
                new RunPlan.ChildTeam("review-team", child, List.of("draft", "audience"))));
  }

  private WorkflowStub start(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, FakeAgents agents) {
    return Plans.start(env, worker, plan, agents);
  }

  private static StepStatus step(RunStatus status, String name) {
    return Plans.step(status, name);
  }

  @Test
  void theChildTeamRunsWithTheStepsInputsAndItsOutputAndTokensAreTheSteps(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();

    RunStatus status = start(env, worker, parent(0), agents).getResult(RunStatus.class);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(agents.stepsCalled()).containsExactly("research", "critic", "editor", "publish");
    // the step's input "draft" is the child's input draft; audience kept its default
    assertThat(agents.calls.get(1).lastMessage())
        .isEqualTo("critique check research done for engineers");
    assertThat(agents.calls.get(1).taskQueue()).isEqualTo("ark/test/team-critic");
    StepStatus review = step(status, "review");
    assertThat(review.phase()).isEqualTo("Succeeded");
    assertThat(review.output()).isEqualTo("edited: editor done");
    assertThat(review.tokenUsage()).isEqualTo(TokenUsage.ZERO);
    assertThat(review.message())
        .isEqualTo(
            "ran ArkTeam review-team: Succeeded, 30 tokens in 2 steps (listed as review/<step>)");
    assertThat(step(status, "review/critic").tokenUsage()).isEqualTo(new TokenUsage(10, 5));
    assertThat(step(status, "review/critic").delegatedFrom()).isEqualTo("review");
    assertThat(step(status, "review/editor").output()).isEqualTo("editor done");
    assertThat(status.totalTokenUsage()).isEqualTo(new TokenUsage(40, 20));
    assertThat(agents.teamByStep.get("critic")).isEqualTo("review-team");
    assertThat(Plans.closedStatus(env, CHILD_WORKFLOW))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  }

  @Test
  void theChildRunGetsWhatIsLeftOfTheBudgetAndItsOverrunStopsTheParent(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo(); // 15 tokens per call

    RunStatus status = start(env, worker, parent(40), agents).getResult(RunStatus.class);

    // research spent 15: the child may spend 25, its second call takes it to 30
    assertThat(status.phase()).isEqualTo("BudgetExceeded");
    assertThat(status.failedStep()).isEqualTo("review");
    assertThat(status.message())
        .contains("ArkTeam review-team ended BudgetExceeded", "token budget of 25");
    assertThat(agents.stepsCalled()).containsExactly("research", "critic", "editor");
    assertThat(step(status, "publish").phase()).isEqualTo("Pending");
  }

  @Test
  void aFailedChildRunFailsTheStepWithTheChildsReason(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> {
              if (r.step().equals("editor")) {
                throw ApplicationFailure.newNonRetryableFailure("model refused", "ModelError");
              }
              return FakeAgents.reply(r.step() + " done");
            });

    RunStatus status = start(env, worker, parent(0), agents).getResult(RunStatus.class);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.failedStep()).isEqualTo("review");
    assertThat(status.message()).contains("ArkTeam review-team ended Failed", "step editor");
    assertThat(step(status, "review/editor").phase()).isEqualTo("Failed");
  }

  @Test
  void cancellingTheRunCancelsTheChildRun(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> {
              if (r.step().equals("critic")) {
                throw ApplicationFailure.newFailure("provider overloaded", "ProviderUnavailable");
              }
              return FakeAgents.reply(r.step() + " done");
            });
    WorkflowStub stub = start(env, worker, parent(0, 100), agents);
    env.sleep(Duration.ofSeconds(10));
    assertThat(Plans.status(env, CHILD_WORKFLOW))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);

    stub.cancel();

    assertThatThrownBy(() -> stub.getResult(RunStatus.class))
        .isInstanceOf(WorkflowFailedException.class);
    RunStatus status = stub.query("status", RunStatus.class);
    assertThat(status.phase()).isEqualTo("Cancelled");
    assertThat(step(status, "review").phase()).isEqualTo("Cancelled");
    assertThat(Plans.closedStatus(env, CHILD_WORKFLOW))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
  }
}
