package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.NotifyWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands an event to the ArkNotify its subject references: nothing when the subject has no
 * notifyRef, the ArkNotify does not exist or does not list the event type; else a signal-with-start
 * of the ArkNotify's {@link NotifyWorkflow}, which dedupes by key, so a retried call is harmless.
 */
public final class NotifyActivitiesImpl implements NotifyActivities {
  private static final Logger LOG = LoggerFactory.getLogger(NotifyActivitiesImpl.class);

  private final NotifyTargets targets;
  private final WorkflowClient temporal;

  public NotifyActivitiesImpl(KubernetesClient client, WorkflowClient temporal) {
    this.targets = new NotifyTargets(client);
    this.temporal = temporal;
  }

  @Override
  public void notify(Notification n) {
    String name = targets.notifyName(n.namespace(), n.subjectKind(), n.subjectName());
    if (name == null) {
      return;
    }
    JsonNode notify = targets.notify(n.namespace(), name);
    if (notify == null) {
      LOG.warn(
          "{} {}/{}: notifyRef names ArkNotify {} which does not exist; {} not sent",
          n.subjectKind(),
          n.namespace(),
          n.subjectName(),
          name,
          n.type());
      return;
    }
    if (NotifySpec.event(notify, n.type(), n.subjectKind()) == null) {
      return; // the ArkNotify does not subscribe to this event type
    }
    NotifyWorkflow.Envelope envelope =
        new NotifyWorkflow.Envelope(
            n, NotifySpec.windowSeconds(notify), NotifySpec.maxPerWindow(notify));
    temporal
        .newUntypedWorkflowStub(
            "NotifyWorkflow",
            WorkflowOptions.newBuilder()
                .setWorkflowId(NotifyWorkflow.workflowId(n.namespace(), name))
                .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                .build())
        .signalWithStart(
            "event",
            new Object[] {envelope},
            new Object[] {NotifyWorkflow.State.initial(n.namespace(), name)});
  }
}
