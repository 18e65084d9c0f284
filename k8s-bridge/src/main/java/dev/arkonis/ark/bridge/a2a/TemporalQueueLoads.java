package dev.arkonis.ark.bridge.a2a;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueResponse;
import io.temporal.client.WorkflowClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load of an agent's task queue from Temporal's DescribeTaskQueue (activity queue, with stats):
 * the approximate backlog and the workers polling it. A server that does not implement it (the
 * in-process test server) answers UNIMPLEMENTED once; from then on this says "unknown" (null)
 * without asking again, and {@link Strategies} falls back to the tasks it has running itself.
 */
public final class TemporalQueueLoads implements Strategies.QueueLoads {
  private static final Logger LOG = LoggerFactory.getLogger(TemporalQueueLoads.class);

  private final WorkflowClient client;
  private final AtomicBoolean unsupported = new AtomicBoolean();

  public TemporalQueueLoads(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public Strategies.QueueLoad load(String taskQueue) {
    if (unsupported.get()) {
      return null;
    }
    try {
      DescribeTaskQueueResponse response =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .describeTaskQueue(
                  DescribeTaskQueueRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setTaskQueue(TaskQueue.newBuilder().setName(taskQueue).build())
                      .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
                      .setReportStats(true)
                      .build());
      long backlog = response.hasStats() ? response.getStats().getApproximateBacklogCount() : 0;
      return new Strategies.QueueLoad(backlog, response.getPollersCount());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        if (unsupported.compareAndSet(false, true)) {
          LOG.info(
              "this Temporal server has no DescribeTaskQueue: least-busy ArkServices balance by"
                  + " the tasks this process has running");
        }
      } else {
        LOG.debug("DescribeTaskQueue {}: {}", taskQueue, e.getStatus());
      }
      return null;
    }
  }
}
