package dev.arkonis.ark.bridge.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.llm.ClusterPromptSecrets;
import dev.arkonis.ark.activities.memory.MemoryActivitiesImpl;
import dev.arkonis.ark.activities.spec.MemorySpecs;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.informer.ReportedException;
import dev.arkonis.ark.bridge.reconcile.Reconciler;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import dev.arkonis.ark.workflows.api.MemoryActivities;
import dev.arkonis.ark.workflows.api.MemorySpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

/**
 * ArkMemory → {@code Ready} and {@code MemoryUnavailable}: the backend is reached with the
 * ArkMemory's Secret (Redis {@code PING}, a PostgreSQL connection); when it cannot be, {@code
 * Ready=False} and {@code MemoryUnavailable=True} name the reason, with a Warning Event, and it is
 * checked again with the controller's backoff until it answers. {@code in-context} and {@code
 * in-memory} live in the agents' workers and are Ready at once. Agents keep running while their
 * memory is unavailable: each task notes it runs without memory.
 */
public final class ArkMemoryReconciler implements Reconciler {
  /** Condition type: True while the backend cannot be reached. */
  public static final String MEMORY_UNAVAILABLE = "MemoryUnavailable";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final EventRecorder events;
  private final StatusWriter status;
  private final Clock clock;
  private final SpecValidator validator = new SpecValidator();
  private final MemoryActivitiesImpl backends;

  public ArkMemoryReconciler(KubernetesClient client, EventRecorder events, Clock clock) {
    this.client = client;
    this.events = events;
    this.status = new StatusWriter(client);
    this.clock = clock;
    ClusterPromptSecrets secrets = new ClusterPromptSecrets(client);
    this.backends =
        new MemoryActivitiesImpl(
            secrets::value, Path.of(System.getProperty("java.io.tmpdir"), "ark-memory-check"));
  }

  /** The informer this reconciler needs. */
  public static void inform(Operator operator) {
    operator.inform(ArkMemory.class);
  }

  @Override
  public String kind() {
    return "ArkMemory";
  }

  @Override
  public void reconcile(String namespace, String name) {
    ArkMemory memory =
        client.resources(ArkMemory.class).inNamespace(namespace).withName(name).get();
    if (memory == null || memory.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    JsonNode tree = client.getKubernetesSerialization().convertValue(memory, JsonNode.class);
    List<Problem> problems = validator.validateStored(tree);
    if (!problems.isEmpty()) {
      String message =
          problems.stream()
              .map(p -> p.field() + ": " + p.message())
              .collect(Collectors.joining("; "));
      write(memory, tree, Conditions.FALSE, "InvalidSpec", message, null);
      events.warning(memory, "InvalidSpec", message);
      return;
    }
    MemorySpec spec = MemorySpecs.of(namespace, name, "ark-operator-check", tree.path("spec"));
    String problem = check(spec);
    if (problem == null) {
      write(memory, tree, Conditions.TRUE, "BackendReachable", reached(spec), Conditions.FALSE);
      return;
    }
    boolean changed =
        write(memory, tree, Conditions.FALSE, "BackendUnreachable", problem, Conditions.TRUE);
    if (changed) {
      events.warning(memory, "MemoryUnavailable", problem);
    }
    throw new ReportedException("MemoryUnavailable", problem, null);
  }

  /** Why the backend cannot be reached now, or null. */
  String check(MemorySpec spec) {
    if (!MemorySpec.REDIS.equals(spec.backend()) && !"pgvector".equals(spec.provider())) {
      return null;
    }
    try {
      backends.ping(spec);
      return null;
    } catch (RuntimeException e) {
      MemoryActivities.Recalled recalled =
          backends.recall(new MemoryActivities.RecallRequest(spec, "ping", 1));
      return recalled.problem() != null ? recalled.problem() : String.valueOf(e.getMessage());
    }
  }

  private static String reached(MemorySpec spec) {
    return switch (spec.backend()) {
      case MemorySpec.REDIS -> "Redis answers";
      case MemorySpec.VECTOR_STORE ->
          "pgvector".equals(spec.provider())
              ? "PostgreSQL answers"
              : "in-memory: kept in each agent worker's process";
      default -> "in-context: kept by each agent worker";
    };
  }

  /** Writes Ready (and MemoryUnavailable unless null); true when Ready changed. */
  private boolean write(
      ArkMemory memory,
      JsonNode tree,
      String ready,
      String reason,
      String message,
      String unavailable) {
    long generation =
        memory.getMetadata().getGeneration() == null ? 0 : memory.getMetadata().getGeneration();
    JsonNode before = Conditions.find(tree.path("status"), Conditions.READY);
    boolean changed =
        !ready.equals(before.path("status").asText())
            || !message.equals(before.path("message").asText());
    ObjectNode patch = JSON.createObjectNode();
    patch.put("observedGeneration", generation);
    status.update(
        ArkMemory.class,
        memory.getMetadata().getNamespace(),
        memory.getMetadata().getName(),
        (stored, now) -> {
          JsonNode conditions =
              Conditions.set(
                  now.path("conditions"),
                  Conditions.READY,
                  ready,
                  reason,
                  message,
                  generation,
                  clock);
          if (unavailable != null) {
            conditions =
                Conditions.set(
                    conditions,
                    MEMORY_UNAVAILABLE,
                    unavailable,
                    reason,
                    Conditions.TRUE.equals(unavailable) ? message : "",
                    generation,
                    clock);
          }
          return patch.deepCopy().set("conditions", conditions);
        });
    return changed;
  }
}
