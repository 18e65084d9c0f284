package dev.arkonis.ark.bridge.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.InputResolver;
import dev.arkonis.ark.activities.spec.SpecException;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the dashboard changes when actions are enabled, with the operator's client: trigger a run
 * (an ArkRun from the team's declared inputs), retry a finished run that did not succeed (an ArkRun
 * with {@code spec.retryOf}), cancel a running run (delete its ArkRun: the finalizer cancels the
 * workflow, see docs/running.md), and tail an agent's pod logs (the Kubernetes log API). Each
 * refusal is an {@link ActionError} naming the object and what to do; nothing is created then.
 */
final class DashboardActions {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Run phases that end a run; all but Succeeded can be retried. */
  static final Set<String> FINISHED =
      Set.of("Succeeded", "Failed", "TimedOut", "BudgetExceeded", "Cancelled");

  /** Lines of each pod's log returned, at most. */
  static final int MAX_LOG_LINES = 1000;

  /** A refused action: the HTTP status and a message for the user. */
  static final class ActionError extends RuntimeException {
    final int status;

    ActionError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final KubernetesClient client;
  private final String watchNamespace;
  private final AgentLogs local;

  DashboardActions(KubernetesClient client, String watchNamespace) {
    this(client, watchNamespace, AgentLogs.NONE);
  }

  DashboardActions(KubernetesClient client, String watchNamespace, AgentLogs local) {
    this.client = client;
    this.watchNamespace = watchNamespace;
    this.local = local;
  }

  /** Creates an ArkRun of {@code team} with {@code input}; returns its name. */
  String trigger(String namespace, String team, JsonNode input) {
    requireWatched(namespace);
    ArkTeam object = client.resources(ArkTeam.class).inNamespace(namespace).withName(team).get();
    if (object == null) {
      throw new ActionError(404, "ArkTeam " + namespace + "/" + team + " not found");
    }
    JsonNode spec = tree(object).path("spec");
    Map<String, Object> given = new LinkedHashMap<>();
    if (input != null && input.isObject()) {
      input
          .fields()
          .forEachRemaining(
              e -> given.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class)));
    } else if (input != null && !input.isNull() && !input.isMissingNode()) {
      throw new ActionError(400, "input must be a JSON object of the team's inputs");
    }
    given.values().removeIf(v -> v instanceof String s && s.isEmpty());
    Map<String, Object> resolved;
    try {
      resolved = InputResolver.resolve(spec, given);
    } catch (SpecException e) {
      throw new ActionError(422, "ArkTeam " + namespace + "/" + team + ": " + e.getMessage());
    }
    ObjectNode run = newRun(namespace, team + "-", team);
    run.with("spec").set("input", JSON.valueToTree(resolved));
    run.with("spec").putObject("triggeredBy").put("kind", "User").put("name", "ark-dashboard");
    return create(namespace, run);
  }

  /**
   * Creates an ArkRun retrying {@code run} (reusing its succeeded steps) with its input, under the
   * team's limits; returns its name.
   */
  String retry(String namespace, String run) {
    JsonNode old = requireRun(namespace, run);
    String phase = old.path("status").path("phase").asText("");
    if (!FINISHED.contains(phase) || "Succeeded".equals(phase)) {
      throw new ActionError(
          409,
          "ArkRun "
              + namespace
              + "/"
              + run
              + " is "
              + (phase.isEmpty() ? "not started" : phase)
              + ": only a run that ended Failed, TimedOut, BudgetExceeded or Cancelled can be"
              + " retried");
    }
    String team = old.path("spec").path("teamRef").path("name").asText();
    ObjectNode retry = newRun(namespace, team + "-", team);
    ObjectNode spec = retry.with("spec");
    // the input, not the run's own limit overrides (timeoutSeconds, maxTokens): a run stopped by
    // them would stop again; the retry runs under the team's limits
    if (old.path("spec").has("input")) {
      spec.set("input", old.path("spec").get("input"));
    }
    spec.putObject("retryOf").put("run", run);
    spec.putObject("triggeredBy").put("kind", "ArkRun").put("name", run);
    return create(namespace, retry);
  }

  /** Deletes a running ArkRun: the operator cancels its workflow and records Cancelled. */
  void cancel(String namespace, String run) {
    JsonNode object = requireRun(namespace, run);
    String phase = object.path("status").path("phase").asText("");
    if (FINISHED.contains(phase)) {
      throw new ActionError(
          409,
          "ArkRun " + namespace + "/" + run + " already ended " + phase + ": nothing to cancel");
    }
    client.resources(ArkRun.class).inNamespace(namespace).withName(run).delete();
  }

  /**
   * The last {@code lines} lines of a pod's log: one GET of the log subresource. (fabric8's {@code
   * getLog()} first waits for the pod to be ready through a list and watch of the pod, which the
   * dashboard has no RBAC for and does not need.)
   */
  private String log(String namespace, String pod, int lines) {
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "")
            + "/api/v1/namespaces/"
            + URLEncoder.encode(namespace, StandardCharsets.UTF_8)
            + "/pods/"
            + URLEncoder.encode(pod, StandardCharsets.UTF_8)
            + "/log?tailLines="
            + lines;
    String log = client.raw(url);
    return log == null ? "" : log;
  }

  /** The last {@code lines} lines of each pod of the agent: {@code {pods: [{name, log}]}}. */
  ObjectNode logs(String namespace, String agent, int lines) {
    requireWatched(namespace);
    int tail = Math.max(1, Math.min(lines, MAX_LOG_LINES));
    var inProcess = local.tail(namespace, agent, tail);
    if (inProcess.isPresent()) {
      ObjectNode out = JSON.createObjectNode();
      out.put("agent", agent);
      out.putArray("pods")
          .addObject()
          .put("name", "in-process worker (ark dev)")
          .put("log", inProcess.get());
      return out;
    }
    List<Pod> pods =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel("arkonis.dev/agent", agent)
            .list()
            .getItems();
    ObjectNode out = JSON.createObjectNode();
    out.put("agent", agent);
    var array = out.putArray("pods");
    for (Pod pod : pods.stream().limit(10).toList()) {
      String name = pod.getMetadata().getName();
      ObjectNode entry = array.addObject().put("name", name);
      try {
        entry.put("log", log(namespace, name, tail));
      } catch (KubernetesClientException e) {
        entry.put("error", "cannot read the log of pod " + name + ": " + reason(e));
      }
    }
    if (pods.isEmpty()) {
      out.put(
          "message",
          "ArkAgent "
              + namespace
              + "/"
              + agent
              + " has no pods (label arkonis.dev/agent="
              + agent
              + ")");
    }
    return out;
  }

  private JsonNode requireRun(String namespace, String run) {
    requireWatched(namespace);
    ArkRun object = client.resources(ArkRun.class).inNamespace(namespace).withName(run).get();
    if (object == null) {
      throw new ActionError(404, "ArkRun " + namespace + "/" + run + " not found");
    }
    return tree(object);
  }

  private void requireWatched(String namespace) {
    if (namespace == null || namespace.isBlank()) {
      throw new ActionError(400, "namespace is missing");
    }
    if (watchNamespace != null && !watchNamespace.equals(namespace)) {
      throw new ActionError(
          403, "this dashboard shows namespace " + watchNamespace + " only, not " + namespace);
    }
  }

  private static ObjectNode newRun(String namespace, String generateName, String team) {
    ObjectNode run = JSON.createObjectNode();
    run.put("apiVersion", "arkonis.dev/v1alpha1").put("kind", "ArkRun");
    run.putObject("metadata").put("generateName", generateName).put("namespace", namespace);
    run.putObject("spec").putObject("teamRef").put("name", team);
    return run;
  }

  private String create(String namespace, ObjectNode run) {
    ArkRun object = client.getKubernetesSerialization().convertValue(run, ArkRun.class);
    try {
      return client
          .resources(ArkRun.class)
          .inNamespace(namespace)
          .resource(object)
          .create()
          .getMetadata()
          .getName();
    } catch (KubernetesClientException e) {
      int code = e.getCode() >= 400 && e.getCode() < 500 ? e.getCode() : 502;
      throw new ActionError(code, "the API server refused the ArkRun: " + reason(e));
    }
  }

  private static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getMessage();
  }

  private JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }
}
