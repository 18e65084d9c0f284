package dev.arkonis.ark.workflows.api;

import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The I/O of {@link NotifyWorkflow}, on the operator's queue. Channel URLs and headers are read
 * from Secrets inside these activities only: they never appear in arguments, results or errors.
 */
@ActivityInterface
public interface NotifyDeliveryActivities {
  /**
   * Renders the event's message from the live objects (ArkTeam, ArkRun, ArkAgent) overlaid with the
   * notification's facts and posts it to the ArkNotify's channel. A failed post throws (retried); a
   * template that fails is replaced by the default message and reported in the result.
   *
   * @return null when the message was sent as templated, else the template error
   */
  @ActivityMethod(name = "deliverNotification")
  String deliver(String namespace, String notify, Notification notification);

  /** Writes the counters into the ArkNotify's status (no request when nothing changed). */
  @ActivityMethod(name = "writeNotifyStatus")
  void writeStatus(String namespace, String notify, NotifyWorkflow.Counts counts);
}
