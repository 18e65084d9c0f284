package dev.arkonis.ark.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link EventStore} of the webhook server: ArkEvents and token Secrets from its own small
 * informers — every ArkEvent of the watched namespace (or all) and only the Secrets labelled {@code
 * arkonis.dev/event} (the operator labels every {@code <event>-token} Secret, also one the user
 * made) — so checking an event and its token costs no API call, however many requests come with a
 * wrong token. The webhook runs on every operator replica, the leader's informers only on one,
 * hence informers of its own. Run lookups and deletions (concurrency policies, sync replies) go to
 * the API server, after authentication.
 *
 * <pre>{@code
 * try (WebhookCache cache = WebhookCache.start(client, watchNamespace);
 *     WebhookServer server = new WebhookServer(cache, temporal, 8081, Limits.DEFAULT)) {
 *   // readiness: cache.notReady() == null once both caches are synced
 * }
 * }</pre>
 */
public final class WebhookCache implements EventStore, AutoCloseable {
  private final KubernetesClient client;
  private final String watchNamespace;
  private final SharedIndexInformer<ArkEvent> events;
  private final SharedIndexInformer<Secret> tokens;

  private WebhookCache(KubernetesClient client, String watchNamespace) {
    this.client = client;
    this.watchNamespace = watchNamespace;
    MixedOperation<ArkEvent, ?, ?> arkEvents = client.resources(ArkEvent.class);
    this.events =
        (watchNamespace == null
                ? arkEvents.inAnyNamespace()
                : arkEvents.inNamespace(watchNamespace))
            .runnableInformer(0);
    FilterWatchListDeletable<Secret, ?, ?> secrets =
        watchNamespace == null
            ? client.secrets().inAnyNamespace()
            : client.secrets().inNamespace(watchNamespace);
    this.tokens = secrets.withLabel(EVENT_LABEL).runnableInformer(0);
  }

  /**
   * Starts both informers without waiting for them; until both are synced {@link #notReady()} says
   * so and the server answers 503.
   *
   * @param watchNamespace the only namespace served, or null for all
   */
  public static WebhookCache start(KubernetesClient client, String watchNamespace) {
    WebhookCache cache = new WebhookCache(client, watchNamespace);
    cache.events.start();
    cache.tokens.start();
    return cache;
  }

  @Override
  public String notReady() {
    if (!events.hasSynced()) {
      return "the webhook server's ArkEvent cache is not synced yet";
    }
    if (!tokens.hasSynced()) {
      return "the webhook server's token Secret cache is not synced yet";
    }
    return null;
  }

  @Override
  public JsonNode event(String namespace, String name) {
    if (watchNamespace != null && !watchNamespace.equals(namespace)) {
      return null;
    }
    ArkEvent event = events.getIndexer().getByKey(namespace + "/" + name);
    return event == null ? null : tree(event);
  }

  @Override
  public String token(String namespace, String event) {
    String token =
        token(tokens.getIndexer().getByKey(namespace + "/" + event + TOKEN_SECRET_SUFFIX));
    if (token != null && !token.isEmpty()) {
      return token;
    }
    return token(tokens.getIndexer().getByKey(namespace + "/" + event + TOKEN_ALIAS_SUFFIX));
  }

  /** The {@code token} key of a Secret, decoded and stripped, or null. */
  private static String token(Secret secret) {
    if (secret == null) {
      return null;
    }
    Map<String, String> data = secret.getData();
    if (data != null && data.get(TOKEN_KEY) != null) {
      try {
        byte[] decoded = Base64.getMimeDecoder().decode(data.get(TOKEN_KEY));
        return new String(decoded, StandardCharsets.UTF_8).strip();
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    Map<String, String> stringData = secret.getStringData();
    if (stringData != null && stringData.get(TOKEN_KEY) != null) {
      return stringData.get(TOKEN_KEY).strip();
    }
    return null;
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

  @Override
  public void close() {
    events.stop();
    tokens.stop();
  }
}
