package dev.arkonis.ark.activities.health;

import dev.arkonis.ark.workflows.api.AgentHealthWorkflow;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow.ProbeResult;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow.State;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hands a replica's probe results to the {@code AgentHealth} workflow of its agent(s): a
 * signal-with-start of {@code arkhealth/<namespace>/<agent>} on the orchestration queue, for each
 * task queue {@code ark/<namespace>/<agent>} the replica serves.
 */
public final class HealthReports implements Consumer<SemanticProbe.Result> {
  private record Agent(String namespace, String name) {}

  private final WorkflowClient temporal;
  private final List<Agent> agents;
  private final String replica;
  private final int intervalSeconds;

  /**
   * @param taskQueues the replica's task queues, {@code ark/<namespace>/<agent>} each
   * @param replica this replica's id (the pod name)
   */
  public HealthReports(
      WorkflowClient temporal, List<String> taskQueues, String replica, int intervalSeconds) {
    this.temporal = temporal;
    this.agents = taskQueues.stream().map(HealthReports::agent).toList();
    this.replica = replica;
    this.intervalSeconds = intervalSeconds;
  }

  @Override
  public void accept(SemanticProbe.Result result) {
    for (Agent agent : agents) {
      AgentHealthWorkflow workflow =
          temporal.newWorkflowStub(
              AgentHealthWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(AgentHealthWorkflow.workflowId(agent.namespace(), agent.name()))
                  .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                  .build());
      BatchRequest request = temporal.newSignalWithStartRequest();
      request.add(workflow::watch, State.start(agent.namespace(), agent.name()));
      request.add(
          workflow::report,
          new ProbeResult(
              agent.namespace(),
              agent.name(),
              replica,
              result.healthy(),
              result.answer(),
              intervalSeconds));
      temporal.signalWithStart(request);
    }
  }

  /** This process's replica id: the pod name ({@code HOSTNAME}), else the host name. */
  public static String replicaId() {
    String host = System.getenv("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "replica";
    }
  }

  private static Agent agent(String taskQueue) {
    String[] parts = taskQueue.split("/", 3);
    if (parts.length != 3 || !"ark".equals(parts[0])) {
      throw new IllegalArgumentException(
          "task queue \"" + taskQueue + "\" is not ark/<namespace>/<agent>");
    }
    return new Agent(parts[1], parts[2]);
  }
}
