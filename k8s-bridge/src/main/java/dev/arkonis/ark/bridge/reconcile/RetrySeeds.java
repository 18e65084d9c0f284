package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.spec.SpecException;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.plan.StepGraph;
import dev.arkonis.ark.workflows.run.Phases;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code spec.retryOf {run, fromStep?}}: the outputs of the old run's succeeded pipeline steps,
 * read in full from its workflow result (the ArkRun status holds truncated outputs only, used as a
 * fallback; the new run then gets the condition {@code OutputsTruncated}). With {@code fromStep},
 * that step and everything after it run again. A run that has not finished cannot be retried.
 */
public final class RetrySeeds {
  /** The end ArkRunStatus gives an output it truncated. */
  static final String TRUNCATED_MARK = "\n… (truncated; ";

  private final KubernetesClient client;
  private final WorkflowClient temporal;
  private final List<String> truncated = new ArrayList<>();
  private String resultUnavailable;

  RetrySeeds(KubernetesClient client, WorkflowClient temporal) {
    this.client = client;
    this.temporal = temporal;
  }

  Map<String, RunPlan.PriorStep> priorSteps(String namespace, JsonNode retryOf, JsonNode team) {
    if (!retryOf.isObject()) {
      return Map.of();
    }
    String oldName = retryOf.path("run").asText();
    ArkRun old = client.resources(ArkRun.class).inNamespace(namespace).withName(oldName).get();
    if (old == null) {
      throw new SpecException(
          "spec.retryOf.run: ArkRun " + oldName + " not found in namespace " + namespace);
    }
    String unfinished = unfinished(oldName, tree(old).path("status").path("phase").asText(""));
    if (unfinished != null) {
      throw new SpecException("spec.retryOf.run: " + unfinished);
    }
    Map<String, List<String>> deps = new LinkedHashMap<>();
    for (JsonNode step : team.path("spec").path("pipeline")) {
      String name = step.path("name").asText(step.path("role").asText());
      List<String> d = new ArrayList<>();
      step.path("dependsOn").forEach(x -> d.add(x.asText()));
      deps.put(name, d);
    }
    Set<String> rerun = new HashSet<>();
    if (retryOf.hasNonNull("fromStep")) {
      String from = retryOf.path("fromStep").asText();
      if (!deps.containsKey(from)) {
        throw new SpecException(
            "spec.retryOf.fromStep: no step \""
                + from
                + "\" in the team's pipeline; steps: "
                + String.join(", ", deps.keySet()));
      }
      rerun.add(from);
      StepGraph graph = new StepGraph(deps);
      for (String step : deps.keySet()) {
        if (graph.ancestorsOf(step).contains(from)) {
          rerun.add(step);
        }
      }
    }
    Map<String, RunPlan.PriorStep> prior = new LinkedHashMap<>();
    for (StepStatus step : oldSteps(namespace, oldName, old)) {
      if (step.delegatedFrom() == null
          && Phases.SUCCEEDED.equals(step.phase())
          && deps.containsKey(step.name())
          && !rerun.contains(step.name())) {
        prior.put(
            step.name(), new RunPlan.PriorStep(step.output(), step.data(), step.tokenUsage()));
        if (resultUnavailable != null
            && step.output() != null
            && step.output().contains(TRUNCATED_MARK)) {
          truncated.add(step.name());
        }
      }
    }
    return prior;
  }

  /**
   * Why the retry reuses truncated outputs, or null when it does not: the old run's workflow result
   * could not be read (deleted, past retention) and some reused steps' outputs in its status were
   * truncated. Valid after {@link #priorSteps}.
   */
  String truncatedReuse(String oldRun) {
    if (truncated.isEmpty()) {
      return null;
    }
    return "spec.retryOf: the result of ArkRun "
        + oldRun
        + "'s workflow could not be read ("
        + resultUnavailable
        + "), so step"
        + (truncated.size() == 1 ? " " : "s ")
        + String.join(", ", truncated)
        + " reuse"
        + (truncated.size() == 1 ? "s" : "")
        + " the output kept in its status, truncated to "
        + dev.arkonis.ark.activities.status.ArkRunStatus.MAX_STEP_OUTPUT
        + " characters; retry with fromStep to run "
        + (truncated.size() == 1 ? "it" : "them")
        + " again in full";
  }

  /**
   * Why a run in {@code phase} cannot be retried yet (it has not finished), or null when it can.
   * The admission webhook and the reconciler refuse such a retry with this message.
   */
  public static String unfinished(String run, String phase) {
    if (!phase.isEmpty() && Phases.terminal(phase)) {
      return null;
    }
    return "ArkRun "
        + run
        + " is still "
        + (phase.isEmpty() ? Phases.PENDING : phase)
        + "; only a finished run (Succeeded, Failed, TimedOut, BudgetExceeded or Cancelled) can be"
        + " retried: wait until it has finished, then create the retry";
  }

  private JsonNode tree(ArkRun run) {
    return client.getKubernetesSerialization().convertValue(run, JsonNode.class);
  }

  private List<StepStatus> oldSteps(String namespace, String name, ArkRun old) {
    try {
      RunStatus status =
          temporal
              .newUntypedWorkflowStub(RunPlan.workflowId(namespace, name))
              .getResultAsync(RunStatus.class)
              .get(5, TimeUnit.SECONDS);
      return status.steps();
    } catch (Exception e) {
      resultUnavailable = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return fromArkRun(old);
    }
  }

  private List<StepStatus> fromArkRun(ArkRun old) {
    JsonNode steps =
        client
            .getKubernetesSerialization()
            .convertValue(old, JsonNode.class)
            .path("status")
            .path("steps");
    List<StepStatus> out = new ArrayList<>();
    for (JsonNode s : steps) {
      JsonNode usage = s.path("tokenUsage");
      out.add(
          new StepStatus(
              s.path("name").asText(),
              s.path("role").asText(),
              s.path("phase").asText(),
              s.path("attempts").asInt(),
              null,
              null,
              s.path("output").asText(null),
              s.has("outputJSON")
                  ? client
                      .getKubernetesSerialization()
                      .convertValue(s.path("outputJSON"), Object.class)
                  : null,
              new TokenUsage(
                  usage.path("inputTokens").asLong(), usage.path("outputTokens").asLong()),
              null,
              s.hasNonNull("delegatedFrom") ? s.path("delegatedFrom").asText() : null,
              1));
    }
    return out;
  }
}
