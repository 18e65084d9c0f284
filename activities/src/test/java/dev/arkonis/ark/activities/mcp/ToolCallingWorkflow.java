package dev.arkonis.ark.activities.mcp;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ToolActivities;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolCallRequest;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;

/** Test-only workflow: lists the agent's tools, then calls one, as a step does. */
@WorkflowInterface
public interface ToolCallingWorkflow {
  @WorkflowMethod
  String run(AgentSpec agent, String tool, String arguments);

  /** The implementation: two activities on the agent's task queue. */
  class Impl implements ToolCallingWorkflow {
    @Override
    public String run(AgentSpec agent, String tool, String arguments) {
      ToolActivities tools =
          Workflow.newActivityStub(
              ToolActivities.class,
              ActivityOptions.newBuilder()
                  .setTaskQueue(agent.taskQueue())
                  .setStartToCloseTimeout(Duration.ofSeconds(60))
                  .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
                  .build());
      ToolActivities.ToolList list = tools.listTools(agent);
      if (list.tools().stream().noneMatch(t -> t.name().equals(tool))) {
        return "not offered: " + tool + " " + list.problems();
      }
      return tools.callTool(new ToolCallRequest(agent, tool, arguments)).text();
    }
  }
}
