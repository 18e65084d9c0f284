package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A status write (an API round trip on the operator's queue) does not hold up the run: with 200
 * runs at once the operator's writes queue up, and a run whose next step waited for its previous
 * write ran at the speed of the status writes, not of the model.
 */
class StatusWritesInBackgroundTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  @Test
  void theNextStepStartsWhileAStatusWriteIsStillInFlightAndTheLastWriteIsTheEnd(
      TestWorkflowEnvironment env, Worker worker) {
    CountDownLatch secondStepCalled = new CountDownLatch(1);
    AtomicBoolean secondStepStartedDuringAWrite = new AtomicBoolean();
    AtomicBoolean blockedOnce = new AtomicBoolean();
    List<RunStatus> written = new CopyOnWriteArrayList<>();
    FakeAgents agents =
        new FakeAgents(
            r -> {
              if (r.step().equals("b")) {
                secondStepCalled.countDown();
              }
              return FakeAgents.reply(r.step() + " done");
            });
    env.newWorker("status")
        .registerActivitiesImplementations(
            (RunStatusActivities)
                (ref, status) -> {
                  written.add(status);
                  boolean aRunning =
                      status.steps().stream()
                          .anyMatch(s -> s.name().equals("a") && s.phase().equals("Running"));
                  if (aRunning && blockedOnce.compareAndSet(false, true)) {
                    // hold the write that shows `a` running until `b` was called (or 10 s)
                    try {
                      secondStepStartedDuringAWrite.set(
                          secondStepCalled.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
    RunPlan plan =
        Plans.builder()
            .step(Plans.step("a"))
            .step(Plans.step("b", "a"))
            .build()
            .withStatusTaskQueue("status");
    RunStatus result = Plans.start(env, worker, plan, agents).getResult(RunStatus.class);

    assertThat(result.phase()).isEqualTo("Succeeded");
    assertThat(blockedOnce).isTrue();
    assertThat(secondStepStartedDuringAWrite)
        .as("step b was called while the write showing a running was still in flight")
        .isTrue();
    assertThat(written.get(written.size() - 1).phase()).isEqualTo("Succeeded");
    assertThat(written.get(written.size() - 1).steps())
        .allSatisfy(s -> assertThat(s.phase()).isEqualTo("Succeeded"));
  }
}
