package dev.arkonis.ark.bridge.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.bridge.DevServer;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The least-busy strategy on the numbers a real Temporal dev server reports ({@code
 * ARK_TEST_TEMPORAL_ADDRESS}, set by {@code scripts/test}): one agent's queue has a worker busy
 * with its one task slot and four tasks waiting, another's an idle worker, a third's no worker at
 * all. {@link TemporalQueueLoads} reads the backlog and pollers through DescribeTaskQueue, and
 * {@link Strategies} sends every task to the idle agent, and to the busy one rather than to the one
 * nobody polls.
 */
class LeastBusyIT {
  private WorkflowServiceStubs service;
  private WorkflowClient temporal;
  private WorkerFactory workers;
  private final CountDownLatch release = new CountDownLatch(1);
  private final String id = UUID.randomUUID().toString().substring(0, 8);

  /** One activity task on {@code queue}. */
  @WorkflowInterface
  public interface OneTask {
    @WorkflowMethod
    void run(String queue);
  }

  @ActivityInterface
  public interface Work {
    void work();
  }

  public static class OneTaskImpl implements OneTask {
    @Override
    public void run(String queue) {
      Workflow.newActivityStub(
              Work.class,
              ActivityOptions.newBuilder()
                  .setTaskQueue(queue)
                  .setStartToCloseTimeout(Duration.ofMinutes(2))
                  .build())
          .work();
    }
  }

  /** Holds its task until the test releases it. */
  private final class Blocking implements Work {
    @Override
    public void work() {
      try {
        release.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @BeforeEach
  void connect() {
    service = DevServer.stubs();
    temporal = DevServer.client(service);
    workers = WorkerFactory.newInstance(temporal);
  }

  @AfterEach
  void close() {
    release.countDown();
    workers.shutdownNow();
    workers.awaitTermination(10, TimeUnit.SECONDS);
    service.shutdownNow();
  }

  @Test
  void theIdleAgentTakesTheTasksAndAnAgentNobodyPollsComesLast() throws Exception {
    String busy = "least-busy-" + id + "-busy";
    String idle = "least-busy-" + id + "-idle";
    String nobody = "least-busy-" + id + "-nobody";
    String orchestrator = "least-busy-" + id + "-runs";
    workers.newWorker(orchestrator).registerWorkflowImplementationTypes(OneTaskImpl.class);
    Work blocking = new Blocking();
    WorkerOptions oneSlot =
        WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(1).build();
    workers.newWorker(busy, oneSlot).registerActivitiesImplementations(blocking);
    workers.newWorker(idle, oneSlot).registerActivitiesImplementations(blocking);
    workers.start();
    List<String> started = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      OneTask run =
          temporal.newWorkflowStub(
              OneTask.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("least-busy-" + id + "-" + i)
                  .setTaskQueue(orchestrator)
                  .build());
      WorkflowClient.start(run::run, busy);
      started.add("least-busy-" + id + "-" + i);
    }
    TemporalQueueLoads loads = new TemporalQueueLoads(temporal);

    // one task runs in the busy worker's only slot; the other four wait
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Strategies.QueueLoad load = loads.load(busy);
              assertThat(load).isNotNull();
              assertThat(load.backlog()).isEqualTo(4);
              assertThat(load.pollers()).isGreaterThanOrEqualTo(1);
              assertThat(loads.load(idle).pollers()).isGreaterThanOrEqualTo(1);
            });
    assertThat(loads.load(idle).backlog()).isZero();
    assertThat(loads.load(nobody)).isEqualTo(new Strategies.QueueLoad(0, 0));

    Strategies strategies = new Strategies(loads, new Random(1));
    Map<String, String> agents = Map.of("a-busy", busy, "b-idle", idle, "c-nobody", nobody);
    for (int i = 0; i < 6; i++) {
      // round-robin would give each agent two of these
      assertThat(strategies.pick(Strategies.LEAST_BUSY, agents)).isEqualTo("b-idle");
    }
    Map<String, String> noIdle = Map.of("a-busy", busy, "c-nobody", nobody);
    for (int i = 0; i < 4; i++) {
      assertThat(strategies.pick(Strategies.LEAST_BUSY, noIdle)).isEqualTo("a-busy");
    }

    release.countDown();
    for (String workflowId : started) {
      temporal.newUntypedWorkflowStub(workflowId).getResult(60, TimeUnit.SECONDS, Void.class);
    }
  }
}
