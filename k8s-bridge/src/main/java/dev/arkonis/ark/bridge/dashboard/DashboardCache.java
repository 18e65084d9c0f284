package dev.arkonis.ark.bridge.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The dashboard's view of the cluster: its own informers on ArkTeams, ArkAgents, ArkRuns and
 * ArkEvents (of the watched namespace, or all), because the dashboard runs on every operator
 * replica and standalone, while the bridge's informers run on the leader only. Every change is
 * handed to the listeners as a slim JSON object (metadata, spec, status); the informers' threads
 * never block on them.
 */
public final class DashboardCache implements AutoCloseable {
  /** The kinds shown, with the informer of each. */
  public static final List<String> KINDS = List.of("ArkTeam", "ArkAgent", "ArkRun", "ArkEvent");

  /** A change: {@code object} is null when it was deleted. */
  public interface Listener {
    void changed(String kind, String namespace, String name, JsonNode object);
  }

  private final KubernetesClient client;
  private final String watchNamespace;
  private final Map<String, SharedIndexInformer<? extends HasMetadata>> informers =
      new LinkedHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  private DashboardCache(KubernetesClient client, String watchNamespace) {
    this.client = client;
    this.watchNamespace = watchNamespace;
  }

  /**
   * Starts the informers without waiting; {@link #notReady()} says when they are not synced yet.
   *
   * @param watchNamespace the only namespace shown, or null for all
   */
  public static DashboardCache start(KubernetesClient client, String watchNamespace) {
    DashboardCache cache = new DashboardCache(client, watchNamespace);
    cache.inform("ArkTeam", ArkTeam.class);
    cache.inform("ArkAgent", ArkAgent.class);
    cache.inform("ArkRun", ArkRun.class);
    cache.inform("ArkEvent", ArkEvent.class);
    return cache;
  }

  private <T extends HasMetadata> void inform(String kind, Class<T> type) {
    MixedOperation<T, ?, ?> resources = client.resources(type);
    SharedIndexInformer<T> informer =
        (watchNamespace == null
                ? resources.inAnyNamespace()
                : resources.inNamespace(watchNamespace))
            .runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T object) {
            fire(kind, object, false);
          }

          @Override
          public void onUpdate(T old, T object) {
            fire(kind, object, false);
          }

          @Override
          public void onDelete(T object, boolean unknownFinalState) {
            fire(kind, object, true);
          }
        });
    informers.put(kind, informer);
    informer.start();
  }

  private void fire(String kind, HasMetadata object, boolean deleted) {
    if (listeners.isEmpty()) {
      return; // nobody watches: no JSON work per informer event
    }
    JsonNode slim = deleted ? null : slim(kind, object);
    for (Listener listener : listeners) {
      listener.changed(
          kind, object.getMetadata().getNamespace(), object.getMetadata().getName(), slim);
    }
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /** How many listeners there are (tests). */
  int listeners() {
    return listeners.size();
  }

  /** The namespace shown, or null for all. */
  public String watchNamespace() {
    return watchNamespace;
  }

  /** Null when every informer is synced, else which is not. */
  public String notReady() {
    for (Map.Entry<String, SharedIndexInformer<? extends HasMetadata>> e : informers.entrySet()) {
      if (!e.getValue().hasSynced()) {
        return "the dashboard's " + e.getKey() + " cache is not synced yet";
      }
    }
    return null;
  }

  /** Every object of a kind, slim, by namespace and name. */
  public List<JsonNode> list(String kind) {
    SharedIndexInformer<? extends HasMetadata> informer = informers.get(kind);
    if (informer == null) {
      throw new IllegalArgumentException("not a dashboard kind: " + kind);
    }
    List<HasMetadata> objects = new ArrayList<>(informer.getStore().list());
    objects.sort(
        Comparator.comparing((HasMetadata o) -> o.getMetadata().getNamespace())
            .thenComparing(o -> o.getMetadata().getName()));
    List<JsonNode> out = new ArrayList<>();
    for (HasMetadata object : objects) {
      out.add(slim(kind, object));
    }
    return out;
  }

  /** One object, slim, or null. */
  public JsonNode get(String kind, String namespace, String name) {
    SharedIndexInformer<? extends HasMetadata> informer = informers.get(kind);
    if (informer == null || (watchNamespace != null && !watchNamespace.equals(namespace))) {
      return null;
    }
    HasMetadata object = informer.getIndexer().getByKey(namespace + "/" + name);
    return object == null ? null : slim(kind, object);
  }

  /** metadata (name, namespace, uid, creation, deletion, labels), spec and status. */
  private JsonNode slim(String kind, HasMetadata object) {
    ObjectNode out = client.getKubernetesSerialization().convertValue(object, ObjectNode.class);
    JsonNode metadata = out.path("metadata");
    out.put("kind", kind);
    out.remove("apiVersion");
    ObjectNode meta = out.putObject("metadata");
    for (String field :
        List.of("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "labels")) {
      if (metadata.has(field)) {
        meta.set(field, metadata.get(field));
      }
    }
    return out;
  }

  @Override
  public void close() {
    informers.values().forEach(SharedIndexInformer::stop);
  }
}
