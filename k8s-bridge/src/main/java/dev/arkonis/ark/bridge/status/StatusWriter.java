package dev.arkonis.ark.bridge.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.run.Phases;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The one way status is written: the patch is merged (RFC 7386: objects merge, lists are replaced)
 * into the object's current status, nothing is sent when that changes nothing, and the result is
 * written to the status subresource with the object's resourceVersion; a 409 conflict re-reads (and
 * computes a patch derived from the status again) and tries again. An ArkRun never leaves a
 * terminal phase through it, except for a new execution of its workflow ({@link #regressesRun}).
 */
public final class StatusWriter {
  private static final int ATTEMPTS = 5;

  /** Numbers compare by value: a patch's int and a stored long of the same value are equal. */
  private static final java.util.Comparator<JsonNode> NUMERIC_VALUE =
      (a, b) -> {
        if (a.equals(b)) {
          return 0;
        }
        if (a.isNumber() && b.isNumber()) {
          return a.decimalValue().compareTo(b.decimalValue());
        }
        return 1;
      };

  private final KubernetesClient client;
  private final int attempts;

  public StatusWriter(KubernetesClient client) {
    this(client, ATTEMPTS);
  }

  /**
   * @param attempts how many times a write is tried before a 409 conflict is thrown
   */
  public StatusWriter(KubernetesClient client, int attempts) {
    this.client = client;
    this.attempts = attempts;
  }

  /** The current status of an object as JSON, or null when the object does not exist. */
  public <T extends HasMetadata> JsonNode currentStatus(
      Class<T> type, String namespace, String name) {
    T current = client.resources(type).inNamespace(namespace).withName(name).get();
    if (current == null) {
      return null;
    }
    return tree(current).path("status");
  }

  /**
   * Merges {@code patch} into the object's status. Returns false when the object is gone or the
   * patch would change nothing (no request is sent then).
   */
  public <T extends HasMetadata> boolean merge(
      Class<T> type, String namespace, String name, ObjectNode patch) {
    return update(type, namespace, name, (object, current) -> patch);
  }

  /**
   * Merges the patch computed by {@code patch} into the object's status. The function is applied
   * again to the object and status read on every attempt, so values derived from the current status
   * (counters) stay right when a 409 conflict makes the write read and try again.
   *
   * @param patch (object, current status — an empty object when it has none) → RFC 7386 merge patch
   *     of the status
   * @return false when the object is gone or the patch would change nothing (no request is sent
   *     then)
   */
  public <T extends HasMetadata> boolean update(
      Class<T> type,
      String namespace,
      String name,
      BiFunction<? super T, JsonNode, ? extends ObjectNode> patch) {
    synchronized (lock(type, namespace, name)) {
      return write(type, namespace, name, patch);
    }
  }

  /**
   * One lock per object (striped): the writers of one process (reconcilers and status activities
   * share it in the operator and in {@code ark dev}) read, merge and write an object's status one
   * at a time. Writers in other processes are kept apart by the resourceVersion (409, then again);
   * the in-process API server of {@code ark dev} does not refuse a stale status update, so without
   * this a condition written by one writer could be lost to another's write of an older read.
   */
  private static Object lock(Class<?> type, String namespace, String name) {
    int hash = (type.getName() + '/' + namespace + '/' + name).hashCode();
    return LOCKS[Math.floorMod(hash, LOCKS.length)];
  }

  private static final Object[] LOCKS = new Object[64];

  static {
    for (int i = 0; i < LOCKS.length; i++) {
      LOCKS[i] = new Object();
    }
  }

  private <T extends HasMetadata> boolean write(
      Class<T> type,
      String namespace,
      String name,
      BiFunction<? super T, JsonNode, ? extends ObjectNode> patch) {
    for (int attempt = 1; ; attempt++) {
      T current = client.resources(type).inNamespace(namespace).withName(name).get();
      if (current == null) {
        return false;
      }
      ObjectNode object = (ObjectNode) tree(current);
      JsonNode before = object.path("status");
      ObjectNode base =
          before.isObject()
              ? (ObjectNode) before.deepCopy()
              : JsonNodeFactory.instance.objectNode();
      JsonNode change = patch.apply(current, before.isObject() ? before : base);
      JsonNode after = mergeResult(base, change);
      if (after.equals(NUMERIC_VALUE, before) || regressesRun(type, before, after)) {
        return false;
      }
      object.set("status", after);
      T updated = client.getKubernetesSerialization().convertValue(object, type);
      try {
        client.resources(type).inNamespace(namespace).resource(updated).updateStatus();
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return false;
        }
        if (e.getCode() != 409 || attempt >= attempts) {
          throw e;
        }
      }
    }
  }

  /**
   * True when the write would move an ArkRun out of a terminal phase (a late write of an older
   * state, e.g. a retried step write or a start patch racing the workflow's end). A new execution
   * of the workflow (a Temporal Web UI reset: another {@code workflowRunId}) may start over.
   */
  static boolean regressesRun(Class<?> type, JsonNode before, JsonNode after) {
    if (!ArkRun.class.equals(type) || !before.isObject()) {
      return false;
    }
    String was = before.path("phase").asText("");
    if (was.isEmpty() || !Phases.terminal(was)) {
      return false;
    }
    return !was.equals(after.path("phase").asText(""))
        && before.path("workflowRunId").asText("").equals(after.path("workflowRunId").asText(""));
  }

  private JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }

  /** RFC 7386 JSON merge patch applied to {@code target} (modified in place and returned). */
  static JsonNode mergeResult(JsonNode target, JsonNode patch) {
    if (!patch.isObject() || !target.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode out = (ObjectNode) target;
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        out.remove(field.getKey());
      } else if (out.has(field.getKey())) {
        out.set(field.getKey(), mergeResult(out.get(field.getKey()), field.getValue()));
      } else {
        out.set(field.getKey(), field.getValue().deepCopy());
      }
    }
    return out;
  }
}
