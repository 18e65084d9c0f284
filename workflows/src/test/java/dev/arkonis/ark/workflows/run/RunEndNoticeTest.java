package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A finished run hands exactly one end event to its team's ArkNotify. */
class RunEndNoticeTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  static final class Recording implements NotifyActivities {
    final List<Notification> received = new CopyOnWriteArrayList<>();

    @Override
    public void notify(Notification notification) {
      received.add(notification);
    }
  }

  private static Recording run(TestWorkflowEnvironment env, Worker worker, RunPlan plan) {
    Recording recording = new Recording();
    env.newWorker(TeamRunWorkflow.TASK_QUEUE).registerActivitiesImplementations(recording);
    Plans.start(env, worker, plan, FakeAgents.echo()).getResult(RunStatus.class);
    return recording;
  }

  @Test
  @SuppressWarnings("unchecked")
  void aSucceededRunSendsTeamSucceededWithItsStatusAsFacts(
      TestWorkflowEnvironment env, Worker worker) {
    RunPlan plan = Plans.builder().step(Plans.step("a")).build().withNotify("alerts");

    Recording recording = run(env, worker, plan);

    assertThat(recording.received).hasSize(1);
    Notification n = recording.received.get(0);
    assertThat(n.type()).isEqualTo("TeamSucceeded");
    assertThat(n.subjectKind()).isEqualTo("ArkTeam");
    assertThat(n.subjectName()).isEqualTo("team");
    assertThat(n.run()).isEqualTo("run-1");
    assertThat(n.key()).isEqualTo("run/" + plan.namespace() + "/run-1/TeamSucceeded");
    Map<String, Object> run = (Map<String, Object>) n.facts().get("run");
    Map<String, Object> status = (Map<String, Object>) run.get("status");
    assertThat(status).containsEntry("phase", "Succeeded").containsKey("durationSeconds");
    assertThat((Map<String, Object>) status.get("totalTokenUsage")).containsKey("totalTokens");
    assertThat((Map<String, Object>) run.get("spec"))
        .containsEntry("input", Map.of("topic", "agents"));
  }

  @Test
  void aRunOverItsTokenBudgetSendsBudgetExceeded(TestWorkflowEnvironment env, Worker worker) {
    RunPlan plan =
        Plans.builder()
            .step(Plans.step("a"))
            .step(Plans.step("b", "a"))
            .maxTokens(20, 0)
            .build()
            .withNotify("alerts");

    Recording recording = run(env, worker, plan);

    assertThat(recording.received).extracting(Notification::type).containsExactly("BudgetExceeded");
  }

  @Test
  void aTeamWithoutNotifyRefSendsNothing(TestWorkflowEnvironment env, Worker worker) {
    Recording recording = run(env, worker, Plans.builder().step(Plans.step("a")).build());

    assertThat(recording.received).isEmpty();
  }

  @Test
  void phasesMapToEventTypes() {
    assertThat(dev.arkonis.ark.workflows.notify.RunEndNotice.eventType("Failed"))
        .isEqualTo("TeamFailed");
    assertThat(dev.arkonis.ark.workflows.notify.RunEndNotice.eventType("TimedOut"))
        .isEqualTo("TeamTimedOut");
    assertThat(dev.arkonis.ark.workflows.notify.RunEndNotice.eventType("Cancelled")).isNull();
  }
}
