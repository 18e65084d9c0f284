package dev.arkonis.ark.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link EventStore} over the API server. */
final class KubernetesEventStore implements EventStore {
  private final KubernetesClient client;
  private final String watchNamespace;

  KubernetesEventStore(KubernetesClient client, String watchNamespace) {
    this.client = client;
    this.watchNamespace = watchNamespace;
  }

  @Override
  public JsonNode event(String namespace, String name) {
    if (watchNamespace != null && !watchNamespace.equals(namespace)) {
      return null;
    }
    ArkEvent event = client.resources(ArkEvent.class).inNamespace(namespace).withName(name).get();
    return event == null ? null : tree(event);
  }

  @Override
  public String token(String namespace, String event) {
    return WebhookCache.token(
        client.secrets().inNamespace(namespace).withName(event + TOKEN_SECRET_SUFFIX).get());
  }

  @Override
  public Map<String, String> runs(String namespace, String event) {
    Map<String, String> runs = new LinkedHashMap<>();
    for (ArkRun run :
        client
            .resources(ArkRun.class)
            .inNamespace(namespace)
            .withLabel(EVENT_LABEL, event)
            .list()
            .getItems()) {
      runs.put(run.getMetadata().getName(), tree(run).path("status").path("phase").asText(""));
    }
    return runs;
  }

  @Override
  public String runMessage(String namespace, String run) {
    ArkRun object = client.resources(ArkRun.class).inNamespace(namespace).withName(run).get();
    if (object == null) {
      return null;
    }
    JsonNode message = tree(object).path("status").path("message");
    return message.isTextual() ? message.asText() : null;
  }

  @Override
  public void deleteRuns(String namespace, Collection<String> runs) {
    for (String run : runs) {
      client.resources(ArkRun.class).inNamespace(namespace).withName(run).delete();
    }
  }

  private JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }
}
