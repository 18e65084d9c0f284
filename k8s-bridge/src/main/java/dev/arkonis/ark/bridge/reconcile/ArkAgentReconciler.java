package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.bridge.informer.Apply;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.ReportedException;
import dev.arkonis.ark.bridge.informer.Watch;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.ReadyStatus;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * ArkAgent → a worker Deployment {@code <agent>} polling task queue {@code ark/<ns>/<agent>} and a
 * generated ConfigMap {@code <agent>-config} mounted at {@code /etc/ark/agent}, both owned by the
 * agent. The pod template's {@code arkonis.dev/config-hash} digests the ConfigMap data (which
 * includes the referenced prompt ConfigMap key and ArkSettings spec), so a change to any of them
 * rolls the pods. Status: replicas and readiness from the Deployment, task queue, the scale
 * selector and the {@code Ready} condition; the budget fields belong to the daily token ledger
 * ({@code BudgetActivitiesImpl}). While its {@code BudgetExceeded} condition is True the Deployment
 * has 0 replicas; once it is False, the spec's replicas again. An invalid agent (the shared {@link
 * SpecValidator}, as {@code ark validate}) gets {@code Ready=False/InvalidSpec} and a Warning
 * Event, and nothing is created or changed.
 */
public final class ArkAgentReconciler implements Reconciler {
  /** Ready=False reason: a ConfigMap, Secret or ArkSettings the agent refers to is missing. */
  public static final String REFERENCE_NOT_FOUND = "ReferenceNotFound";

  /** Ready=False reason, as the Deployment condition it mirrors: pods cannot be created. */
  public static final String REPLICA_FAILURE = "ReplicaFailure";

  /** Ready=True reason while the daily token budget holds the agent at 0 replicas. */
  public static final String OVER_DAILY_BUDGET = "OverDailyBudget";

  static final Watch.Index<ArkAgent> PROMPT_CONFIG_MAPS =
      new Watch.Index<>(
          ArkAgent.class, "ark.agent.promptConfigMap", ArkAgentReconciler::promptConfigMap);
  static final Watch.Index<ArkAgent> SETTINGS =
      new Watch.Index<>(ArkAgent.class, "ark.agent.settings", ArkAgentReconciler::settings);
  static final Watch.Index<ArkAgent> MEMORIES =
      new Watch.Index<>(ArkAgent.class, "ark.agent.memory", ArkAgentReconciler::memory);

  private final KubernetesClient client;
  private final Caches caches;
  private final EventRecorder events;
  private final StatusWriter status;
  private final SpecValidator validator = new SpecValidator();
  private static final int PROBLEMS_SHOWN = 3;

  private final String defaultImage;
  private final String temporalAddress;
  private final String temporalNamespace;
  private final Clock clock;

  /**
   * @param defaultImage the agent worker image when {@code spec.image} is not set
   * @param temporalAddress the Temporal frontend the workers connect to ({@code host:port})
   * @param temporalNamespace the Temporal namespace of the task queues
   */
  public ArkAgentReconciler(
      KubernetesClient client,
      Caches caches,
      EventRecorder events,
      String defaultImage,
      String temporalAddress,
      String temporalNamespace,
      Clock clock) {
    this.client = client;
    this.caches = caches;
    this.events = events;
    this.status = new StatusWriter(client);
    this.defaultImage = defaultImage;
    this.temporalAddress = temporalAddress;
    this.temporalNamespace = temporalNamespace;
    this.clock = clock;
  }

  /**
   * What wakes an agent up besides its own events: its Deployment and ConfigMap, the ConfigMap its
   * {@code systemPromptRef} names, the ArkSettings its {@code configRef} names.
   */
  public static List<Watch<?>> watches() {
    return List.of(
        Watch.ownedBy(Deployment.class, "ArkAgent"),
        Watch.ownedBy(ConfigMap.class, "ArkAgent"),
        Watch.referencedBy(ConfigMap.class, PROMPT_CONFIG_MAPS),
        Watch.referencedBy(ArkSettings.class, SETTINGS),
        Watch.referencedBy(ArkMemory.class, MEMORIES));
  }

  @Override
  public String kind() {
    return "ArkAgent";
  }

  @Override
  public void reconcile(String namespace, String name) {
    ArkAgent agent = caches.get(ArkAgent.class, namespace, name);
    if (agent == null || agent.getMetadata().getDeletionTimestamp() != null) {
      return; // owned Deployment and ConfigMap go with it (owner references)
    }
    Deployment cached = caches.get(Deployment.class, namespace, name);
    List<Problem> problems =
        validator.validateStored(
            client.getKubernetesSerialization().convertValue(agent, JsonNode.class));
    if (!problems.isEmpty()) {
      writeStatus(
          agent,
          cached,
          Conditions.FALSE,
          "InvalidSpec",
          SpecValidator.summary(problems, PROBLEMS_SHOWN));
      return;
    }
    AgentConfig config = AgentConfig.resolve(agent, caches, client.getKubernetesSerialization());
    if (config.problem() != null) {
      writeStatus(agent, cached, Conditions.FALSE, REFERENCE_NOT_FOUND, config.problem());
      return;
    }
    boolean overBudget = overBudget(agent);
    Deployment live;
    try {
      apply(
          agent,
          "ConfigMap " + AgentWorkload.configMapName(name),
          () ->
              Apply.ensure(
                  client,
                  caches.get(ConfigMap.class, namespace, AgentWorkload.configMapName(name)),
                  AgentWorkload.configMap(agent, config),
                  (have, want) -> Objects.equals(have.getData(), want.getData()),
                  (want, update) -> update.setData(want.getData())));
      live =
          apply(
                  agent,
                  "Deployment " + name,
                  () ->
                      Apply.ensure(
                          client,
                          cached,
                          budgeted(
                              AgentWorkload.deployment(
                                  agent,
                                  config,
                                  client.getKubernetesSerialization(),
                                  defaultImage,
                                  temporalAddress,
                                  temporalNamespace),
                              overBudget),
                          (have, want) ->
                              Objects.equals(
                                  have.getSpec().getReplicas(), want.getSpec().getReplicas()),
                          (want, update) -> update.setSpec(want.getSpec())))
              .object();
    } catch (Apply.NotOwnedException e) {
      writeStatus(agent, cached, Conditions.FALSE, "ResourceConflict", e.getMessage());
      return;
    }
    String secretProblem = promptSecretProblem(agent, config);
    if (secretProblem != null) {
      // the Deployment exists so that its pods start as soon as the Secret does
      writeStatus(agent, live, Conditions.FALSE, REFERENCE_NOT_FOUND, secretProblem);
      return;
    }
    String replicaFailure = replicaFailure(live);
    if (replicaFailure != null) {
      writeStatus(agent, live, Conditions.FALSE, REPLICA_FAILURE, replicaFailure);
      return;
    }
    int ready = readyReplicas(live);
    int wanted = AgentWorkload.replicas(agent.getSpec());
    if (overBudget) {
      writeStatus(
          agent,
          live,
          Conditions.TRUE,
          OVER_DAILY_BUDGET,
          "scaled to 0 replicas while BudgetExceeded is True (limits.maxDailyTokens); "
              + wanted
              + " replicas come back when the window frees up");
    } else if (wanted == 0) {
      writeStatus(agent, live, Conditions.TRUE, "Paused", "scaled to 0 replicas");
    } else if (ready >= 1) {
      writeStatus(
          agent, live, Conditions.TRUE, "ReplicasReady", ready + "/" + wanted + " replicas ready");
    } else {
      writeStatus(
          agent,
          live,
          Conditions.FALSE,
          "ReplicasNotReady",
          ready + "/" + wanted + " replicas ready");
    }
  }

  /**
   * The agent's {@code BudgetExceeded} condition is True (written by the daily token ledger through
   * {@code BudgetActivitiesImpl}).
   */
  static boolean overBudget(ArkAgent agent) {
    if (agent.getStatus() == null || agent.getStatus().getConditions() == null) {
      return false;
    }
    return agent.getStatus().getConditions().stream()
        .anyMatch(
            c ->
                Conditions.BUDGET_EXCEEDED.equals(c.getType())
                    && c.getStatus() != null
                    && Conditions.TRUE.equals(c.getStatus().getValue()));
  }

  /** The Deployment with 0 replicas while the agent is over its daily budget. */
  private static Deployment budgeted(Deployment deployment, boolean overBudget) {
    if (overBudget) {
      deployment.getSpec().setReplicas(0);
    }
    return deployment;
  }

  /**
   * Runs one create-or-update; an API refusal (403, 422, ...) becomes the agent's Ready condition
   * and a Warning Event, then a {@link ReportedException} so the controller tries again later.
   */
  private <T> T apply(ArkAgent agent, String what, Supplier<T> write) {
    try {
      return write.get();
    } catch (KubernetesClientException e) {
      if (!ApiErrors.refusal(e)) {
        throw e;
      }
      ReportedException reported =
          ApiErrors.reported(
              e,
              "cannot create or update "
                  + what
                  + " of ArkAgent "
                  + agent.getMetadata().getNamespace()
                  + "/"
                  + agent.getMetadata().getName());
      try {
        writeStatus(
            agent,
            caches.get(
                Deployment.class,
                agent.getMetadata().getNamespace(),
                agent.getMetadata().getName()),
            Conditions.FALSE,
            reported.reason(),
            reported.getMessage());
      } catch (KubernetesClientException statusError) {
        events.warning(agent, reported.reason(), reported.getMessage()); // status refused too
      }
      throw reported;
    }
  }

  /**
   * What is wrong with the Secret holding the system prompt ({@code systemPromptRef.secretKeyRef}),
   * or null. Secrets are not watched (the operator may only get them): a Secret created later is
   * seen when the Deployment's pods start (the kubelet waits for it) or at the next resync.
   */
  private String promptSecretProblem(ArkAgent agent, AgentConfig config) {
    if (config.promptSecret() == null || Boolean.TRUE.equals(config.promptSecret().getOptional())) {
      return null; // optional: a missing Secret or key means no prompt from it
    }
    String namespace = agent.getMetadata().getNamespace();
    String secretName = config.promptSecret().getName();
    String key = config.promptSecret().getKey();
    Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
    boolean hasKey =
        secret != null
            && ((secret.getData() != null && secret.getData().containsKey(key))
                || (secret.getStringData() != null && secret.getStringData().containsKey(key)));
    if (hasKey) {
      return null;
    }
    return "spec.systemPromptRef.secretKeyRef: "
        + (secret == null
            ? "Secret " + secretName + " not found in namespace " + namespace
            : "Secret " + secretName + " has no key " + key)
        + "; create it or fix the reference";
  }

  /**
   * The Deployment's {@code ReplicaFailure} condition (pods refused, e.g. by Pod Security admission
   * or a quota) as a message, or null when pods are being created.
   */
  private static String replicaFailure(Deployment deployment) {
    if (deployment == null
        || deployment.getStatus() == null
        || deployment.getStatus().getConditions() == null) {
      return null;
    }
    for (DeploymentCondition condition : deployment.getStatus().getConditions()) {
      if (REPLICA_FAILURE.equals(condition.getType())
          && Conditions.TRUE.equals(condition.getStatus())) {
        return "Deployment "
            + deployment.getMetadata().getName()
            + " cannot create pods ("
            + condition.getReason()
            + "): "
            + condition.getMessage()
            + "; fix what the message names (the agent's pod settings, or the namespace's policy"
            + " or quota)";
      }
    }
    return null;
  }

  private void writeStatus(
      ArkAgent agent, Deployment deployment, String ready, String reason, String message) {
    String namespace = agent.getMetadata().getNamespace();
    String name = agent.getMetadata().getName();
    JsonNode current = status.currentStatus(ArkAgent.class, namespace, name);
    if (current == null) {
      return;
    }
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.put("replicas", replicas(deployment));
    patch.put("readyReplicas", readyReplicas(deployment));
    patch.put("taskQueue", RunPlan.taskQueue(namespace, name));
    patch.put("selector", AgentWorkload.AGENT_LABEL + "=" + name);
    ReadyStatus.write(status, ArkAgent.class, agent, current, patch, ready, reason, message, clock)
        .ifPresent(
            before -> {
              if (Conditions.FALSE.equals(ready) && !"ReplicasNotReady".equals(reason)) {
                events.warning(agent, reason, message);
              } else if (Conditions.TRUE.equals(ready)
                  && !ready.equals(before.path("status").asText())) {
                events.normal(agent, reason, message);
              }
            });
  }

  private static int replicas(Deployment deployment) {
    return deployment == null
            || deployment.getStatus() == null
            || deployment.getStatus().getReplicas() == null
        ? 0
        : deployment.getStatus().getReplicas();
  }

  private static int readyReplicas(Deployment deployment) {
    return deployment == null
            || deployment.getStatus() == null
            || deployment.getStatus().getReadyReplicas() == null
        ? 0
        : deployment.getStatus().getReadyReplicas();
  }

  private static List<String> promptConfigMap(ArkAgent agent) {
    var spec = agent.getSpec();
    if (spec == null
        || spec.getSystemPromptRef() == null
        || spec.getSystemPromptRef().getConfigMapKeyRef() == null
        || spec.getSystemPromptRef().getConfigMapKeyRef().getName() == null) {
      return List.of();
    }
    return List.of(
        agent.getMetadata().getNamespace()
            + "/"
            + spec.getSystemPromptRef().getConfigMapKeyRef().getName());
  }

  private static List<String> memory(ArkAgent agent) {
    var spec = agent.getSpec();
    return spec == null || spec.getMemoryRef() == null || spec.getMemoryRef().getName() == null
        ? List.of()
        : List.of(agent.getMetadata().getNamespace() + "/" + spec.getMemoryRef().getName());
  }

  private static List<String> settings(ArkAgent agent) {
    var spec = agent.getSpec();
    List<String> keys = new ArrayList<>();
    if (spec != null && spec.getConfigRef() != null && spec.getConfigRef().getName() != null) {
      keys.add(agent.getMetadata().getNamespace() + "/" + spec.getConfigRef().getName());
    }
    return keys;
  }
}
