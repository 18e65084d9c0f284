package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.informer.ReportedException;
import dev.arkonis.ark.bridge.reconcile.Reconciler;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.ReadyStatus;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.v1alpha1.ArkNotify;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * ArkNotify → its Ready condition: {@code True} when the Secrets of its channels ({@link
 * NotifySpec}: ark's {@code channel} or upstream's {@code channels[]}) exist with their keys, else
 * {@code False/SecretNotFound} naming the field, the Secret and the key, with a Warning Event; then
 * it is checked again with the controller's backoff, so a Secret created later makes it Ready. The
 * {@code Delivered} condition and the counters are the delivery workflow's.
 */
public final class ArkNotifyReconciler implements Reconciler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final EventRecorder events;
  private final StatusWriter status;
  private final Clock clock;

  public ArkNotifyReconciler(KubernetesClient client, EventRecorder events, Clock clock) {
    this.client = client;
    this.events = events;
    this.status = new StatusWriter(client);
    this.clock = clock;
  }

  /** The informer this reconciler needs. */
  public static void inform(Operator operator) {
    operator.inform(ArkNotify.class);
  }

  @Override
  public String kind() {
    return "ArkNotify";
  }

  @Override
  public void reconcile(String namespace, String name) {
    ArkNotify notify =
        client.resources(ArkNotify.class).inNamespace(namespace).withName(name).get();
    if (notify == null) {
      return;
    }
    JsonNode tree = client.getKubernetesSerialization().convertValue(notify, JsonNode.class);
    List<String> problems = problems(client, tree);
    JsonNode current = tree.path("status");
    ObjectNode patch = JSON.createObjectNode();
    if (problems.isEmpty()) {
      ReadyStatus.write(
          status,
          ArkNotify.class,
          notify,
          current,
          patch,
          Conditions.TRUE,
          "SecretsFound",
          "the channel's Secrets exist",
          clock);
      return;
    }
    String message = String.join("; ", problems);
    ReadyStatus.write(
            status,
            ArkNotify.class,
            notify,
            current,
            patch,
            Conditions.FALSE,
            "SecretNotFound",
            message,
            clock)
        .ifPresent(before -> events.warning(notify, "SecretNotFound", message));
    throw new ReportedException("SecretNotFound", message, null);
  }

  /** What is missing for the channels, each naming the field, the Secret and the key. */
  static List<String> problems(KubernetesClient client, JsonNode notify) {
    String namespace = notify.path("metadata").path("namespace").asText();
    List<String> problems = new ArrayList<>();
    for (NotifySpec.Channel channel : NotifySpec.channels(notify)) {
      add(
          problems,
          NotifyChannel.SecretRefs.problem(client, namespace, channel.urlRef(), channel.urlPath()));
      JsonNode headers = channel.headersSecretRef();
      if (headers.isObject()) {
        String secretName = headers.path("name").asText();
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
          problems.add(
              channel.path()
                  + ".webhook.headersSecretRef: Secret \""
                  + secretName
                  + "\" not found; create it (each key is a header)");
        }
      }
    }
    return problems;
  }

  private static void add(List<String> problems, String problem) {
    if (problem != null) {
      problems.add(problem);
    }
  }
}
