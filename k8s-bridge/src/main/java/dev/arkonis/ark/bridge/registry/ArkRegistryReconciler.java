package dev.arkonis.ark.bridge.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.RegistryIndex;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.ObjectKey;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.informer.Watch;
import dev.arkonis.ark.bridge.reconcile.Reconciler;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.ReadyStatus;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRegistry;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * ArkRegistry → its status: the ArkAgents of its namespace it indexes by capability ({@link
 * RegistryIndex}: agents with capabilities; agents managed by a team only with {@code
 * policy.allowCrossTeam}), the capabilities as {@code agent/id}, the counts, {@code
 * observedGeneration} and {@code Ready} ({@code Indexed}, or {@code NoAgents} when nothing is
 * indexed). Any ArkAgent change in the namespace re-reconciles its registries, so the index follows
 * the agents. An invalid registry ({@link SpecValidator}) gets {@code Ready=False/InvalidSpec}, a
 * Warning Event and an empty index.
 */
public final class ArkRegistryReconciler implements Reconciler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PROBLEMS_SHOWN = 3;

  private final Caches caches;
  private final KubernetesSerialization serialization;
  private final EventRecorder events;
  private final StatusWriter status;
  private final Clock clock;
  private final SpecValidator validator = new SpecValidator();

  public ArkRegistryReconciler(
      KubernetesClient client, Caches caches, EventRecorder events, Clock clock) {
    this.caches = caches;
    this.serialization = client.getKubernetesSerialization();
    this.events = events;
    this.status = new StatusWriter(client);
    this.clock = clock;
  }

  /** The informers this reconciler needs. */
  public static void inform(Operator operator) {
    operator.inform(ArkRegistry.class);
    operator.inform(ArkAgent.class);
  }

  /** An ArkAgent that changes re-indexes every registry of its namespace. */
  public static List<Watch<?>> watches() {
    return List.of(
        new Watch<>(
            ArkAgent.class,
            (agent, caches) ->
                caches.list(ArkRegistry.class, agent.getMetadata().getNamespace()).stream()
                    .map(
                        r ->
                            new ObjectKey(
                                r.getMetadata().getNamespace(), r.getMetadata().getName()))
                    .toList(),
            null));
  }

  @Override
  public String kind() {
    return "ArkRegistry";
  }

  @Override
  public void reconcile(String namespace, String name) {
    ArkRegistry registry = caches.get(ArkRegistry.class, namespace, name);
    if (registry == null) {
      return;
    }
    JsonNode tree = serialization.convertValue(registry, JsonNode.class);
    JsonNode current = tree.path("status");
    List<Problem> problems = validator.validateStored(tree);
    if (!problems.isEmpty()) {
      String message = SpecValidator.summary(problems, PROBLEMS_SHOWN);
      ReadyStatus.write(
              status,
              ArkRegistry.class,
              registry,
              current,
              index(List.of()),
              Conditions.FALSE,
              "InvalidSpec",
              message,
              clock)
          .ifPresent(before -> events.warning(registry, "InvalidSpec", message));
      return;
    }
    List<JsonNode> agents = new ArrayList<>();
    for (ArkAgent agent : caches.list(ArkAgent.class, namespace)) {
      agents.add(serialization.convertValue(agent, JsonNode.class));
    }
    List<RegistryIndex.Indexed> indexed =
        RegistryIndex.index(RegistryIndex.Policy.of(tree.path("spec")), agents);
    ObjectNode patch = index(indexed);
    int capabilities = patch.path("capabilityCount").asInt();
    if (indexed.isEmpty()) {
      ReadyStatus.write(
          status,
          ArkRegistry.class,
          registry,
          current,
          patch,
          Conditions.FALSE,
          "NoAgents",
          "no ArkAgent in namespace "
              + namespace
              + " has spec.capabilities"
              + (RegistryIndex.Policy.of(tree.path("spec")).allowCrossTeam()
                  ? ""
                  : " (agents managed by a team are left out: policy.allowCrossTeam is false)")
              + "; routed teams using this registry go to their fallback",
          clock);
      return;
    }
    ReadyStatus.write(
        status,
        ArkRegistry.class,
        registry,
        current,
        patch,
        Conditions.TRUE,
        "Indexed",
        indexed.size() + " agents, " + capabilities + " capabilities indexed",
        clock);
  }

  /** The status fields of an index. */
  static ObjectNode index(List<RegistryIndex.Indexed> indexed) {
    ObjectNode patch = JSON.createObjectNode();
    ArrayNode agents = patch.putArray("agents");
    List<String> ids = new ArrayList<>();
    for (RegistryIndex.Indexed agent : indexed) {
      ObjectNode a = agents.addObject();
      a.put("name", agent.name());
      if (agent.team() != null) {
        a.put("team", agent.team());
      }
      ArrayNode list = a.putArray("capabilities");
      for (RoutingPlan.Capability capability : agent.capabilities()) {
        ObjectNode c = list.addObject();
        c.put("id", capability.id());
        c.put("description", capability.description());
        capability.tags().forEach(c.putArray("tags")::add);
        ids.add(agent.name() + "/" + capability.id());
      }
    }
    ids.sort(null);
    ArrayNode all = patch.putArray("capabilities");
    ids.forEach(all::add);
    patch.put("agentCount", indexed.size());
    patch.put("capabilityCount", ids.size());
    return patch;
  }
}
