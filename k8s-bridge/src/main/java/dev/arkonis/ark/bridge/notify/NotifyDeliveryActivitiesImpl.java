package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.metrics.ArkMetrics;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.v1alpha1.ArkNotify;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.NotifyDeliveryActivities;
import dev.arkonis.ark.workflows.api.NotifyWorkflow;
import dev.arkonis.ark.workflows.template.Template;
import dev.arkonis.ark.workflows.template.TemplateException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders and posts one notification to each channel of the ArkNotify (Slack: {@code {"text"}};
 * webhook: {@code {event, text, key, subject, object, run}} with the headers of {@code
 * headersSecretRef} and plain {@code headers}, or upstream's {@code webhook.template} as the body)
 * and writes an ArkNotify's counters into its status with the {@code Delivered} condition. With
 * several channels, the channels already delivered are recorded in the activity's heartbeat, so a
 * retry after one channel failed posts only to the ones not reached yet.
 */
public final class NotifyDeliveryActivitiesImpl implements NotifyDeliveryActivities {
  /** Condition type written from delivery results; {@code Ready} is the reconciler's. */
  public static final String DELIVERED = "Delivered";

  private static final Logger LOG = LoggerFactory.getLogger(NotifyDeliveryActivitiesImpl.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NotifyTargets targets;
  private final NotifyContext context;
  private final NotifyChannel channel;
  private final StatusWriter writer;
  private final Clock clock;
  private final ArkMetrics metrics;

  /**
   * @param temporalUiUrl base URL of the Temporal Web UI for {@code .run.dashboardUrl}, or null
   * @param temporalNamespace Temporal namespace of the runs' workflows
   */
  public NotifyDeliveryActivitiesImpl(
      KubernetesClient client, String temporalUiUrl, String temporalNamespace, Clock clock) {
    this(client, temporalUiUrl, temporalNamespace, clock, ArkMetrics.global());
  }

  /**
   * @param metrics where notifications are counted (sent, suppressed, failed)
   */
  public NotifyDeliveryActivitiesImpl(
      KubernetesClient client,
      String temporalUiUrl,
      String temporalNamespace,
      Clock clock,
      ArkMetrics metrics) {
    this.targets = new NotifyTargets(client);
    this.context = new NotifyContext(targets, temporalUiUrl, temporalNamespace, clock);
    this.channel = new NotifyChannel(client);
    this.writer = new StatusWriter(client);
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Delivers one message; counted as {@code sent}, or {@code failed} when this attempt fails. */
  @Override
  public String deliver(String namespace, String notifyName, Notification n) {
    try {
      String templateError = send(namespace, notifyName, n);
      metrics.notifications(namespace, notifyName, "sent", 1);
      return templateError;
    } catch (RuntimeException e) {
      metrics.notifications(namespace, notifyName, "failed", 1);
      throw e;
    }
  }

  private String send(String namespace, String notifyName, Notification n) {
    String what = "ArkNotify " + namespace + "/" + notifyName + " " + n.type();
    JsonNode notify = targets.notify(namespace, notifyName);
    if (notify == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          what + ": the ArkNotify no longer exists", NotifyChannel.REJECTED);
    }
    JsonNode event = NotifySpec.event(notify, n.type(), n.subjectKind());
    if (event == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          what + ": spec.events (or spec.on) no longer lists " + n.type() + "; not sent",
          NotifyChannel.REJECTED);
    }
    List<NotifySpec.Channel> channels = NotifySpec.channels(notify);
    Map<String, Object> data = context.build(n);
    NotifyMessages.Text text = NotifyMessages.render(event, n.type(), n.subjectKind(), data);
    String templateError = text.templateError();
    ActivityExecutionContext activity = currentActivity();
    int done = // channels delivered by earlier attempts of this activity
        activity == null ? 0 : activity.getHeartbeatDetails(Integer.class).orElse(0);
    for (int i = done; i < channels.size(); i++) {
      NotifySpec.Channel channel = channels.get(i);
      String where = channels.size() == 1 ? what : what + " (" + channel.path() + ")";
      NotifyChannel.Target target = this.channel.target(notify, channel);
      if (channel.bodyTemplate().isBlank()) {
        this.channel.post(target, body(target.type(), n, text.text(), data), where);
      } else {
        Body custom = customBody(channel, n, data);
        if (custom.templateError() != null) {
          templateError = custom.templateError();
          this.channel.post(target, body(target.type(), n, text.text(), data), where);
        } else {
          this.channel.post(target, custom.text(), custom.contentType(), where);
        }
      }
      if (activity != null) {
        activity.heartbeat(i + 1); // a retry after a later channel failed skips this one
      }
      LOG.info("{} of {} {} delivered ({})", where, n.subjectKind(), n.subjectName(), n.key());
    }
    return templateError;
  }

  private record Body(String text, String contentType, String templateError) {}

  /**
   * Upstream's {@code webhook.template}: the whole request body; JSON when it parses as JSON. A
   * template that fails gives ark's JSON body and the error.
   */
  private static Body customBody(
      NotifySpec.Channel channel, Notification n, Map<String, Object> data) {
    Map<String, Object> scope = new java.util.HashMap<>(data);
    scope.put("event", n.type());
    String text;
    try {
      text = Template.parse(channel.bodyTemplate()).render(scope);
    } catch (TemplateException e) {
      return new Body(
          null,
          null,
          channel.path()
              + ".webhook.template: "
              + e.getMessage()
              + "; ark's JSON body was sent instead");
    }
    try {
      JSON.readTree(text);
      return new Body(text, "application/json", null);
    } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
      return new Body(text, "text/plain; charset=utf-8", null);
    }
  }

  /** The running activity's context, or null when called outside an activity (tests). */
  private static ActivityExecutionContext currentActivity() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException notInAnActivity) {
      return null;
    }
  }

  private static String body(String type, Notification n, String text, Map<String, Object> data) {
    ObjectNode body = JSON.createObjectNode();
    if ("slack".equals(type)) {
      body.put("text", text);
      return body.toString();
    }
    body.put("event", n.type());
    body.put("text", text);
    body.put("key", n.key());
    ObjectNode subject = body.putObject("subject");
    subject.put("kind", n.subjectKind());
    subject.put("namespace", n.namespace());
    subject.put("name", n.subjectName());
    Object object = data.get("ArkAgent".equals(n.subjectKind()) ? "agent" : "team");
    body.set("object", JSON.valueToTree(object));
    if (data.get("run") != null) {
      body.set("run", JSON.valueToTree(data.get("run")));
    }
    return body.toString();
  }

  @Override
  public void writeStatus(String namespace, String notifyName, NotifyWorkflow.Counts counts) {
    long[] newlySuppressed = new long[1]; // suppressions this write adds to the stored count
    boolean written =
        writer.update(
            ArkNotify.class,
            namespace,
            notifyName,
            (notify, current) -> {
              newlySuppressed[0] =
                  counts.suppressedCount() - current.path("suppressedCount").asLong(0);
              ObjectNode patch = JSON.createObjectNode();
              patch.put("sentCount", counts.sentCount());
              patch.put("suppressedCount", counts.suppressedCount());
              if (counts.lastSentAt() != null) {
                patch.put("lastSentAt", counts.lastSentAt());
              }
              if (counts.lastError() != null) {
                patch.put("lastError", counts.lastError());
              } else {
                patch.putNull("lastError");
              }
              if (counts.sentCount() > 0 || counts.lastError() != null) {
                long generation =
                    notify.getMetadata().getGeneration() == null
                        ? 0
                        : notify.getMetadata().getGeneration();
                patch.set(
                    "conditions",
                    counts.lastError() == null
                        ? Conditions.set(
                            current.path("conditions"),
                            DELIVERED,
                            Conditions.TRUE,
                            "Delivered",
                            "the last message was delivered as templated",
                            generation,
                            clock)
                        : Conditions.set(
                            current.path("conditions"),
                            DELIVERED,
                            Conditions.FALSE,
                            counts.errorReason() == null ? "DeliveryFailed" : counts.errorReason(),
                            counts.lastError(),
                            generation,
                            clock));
              }
              return patch;
            });
    if (written) {
      metrics.notifications(namespace, notifyName, "suppressed", newlySuppressed[0]);
    }
  }
}
