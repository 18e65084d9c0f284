package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.InputResolver;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.activities.spec.SpecException;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.activities.visibility.SearchAttributeSetup;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.bridge.informer.ReportedException;
import dev.arkonis.ark.bridge.informer.Updates;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.Phases;
import dev.arkonis.ark.workflows.run.Times;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ArkRun ↔ TeamRun workflow. A new run starts workflow {@code arkrun/<ns>/<name>} (idempotent: a
 * re-reconcile or an operator restart never starts a second one; a finished one is never
 * restarted); the workflow then writes the status, and {@link RunRepair} writes the end of a
 * workflow that closed without writing it (terminated, timed out, lost write). A finalizer cancels
 * a running workflow when the ArkRun is deleted and lets go once the run recorded {@code
 * Cancelled}. {@code spec.retryOf} seeds the new run with the outputs of the old run's succeeded
 * steps.
 */
public final class ArkRunReconciler implements Reconciler {
  /** Finalizer that cancels the workflow of a deleted, still running ArkRun. */
  public static final String FINALIZER = "arkonis.dev/cancel-run";

  /** Label naming the run's team (history limits, {@code kubectl get arkrun -l}). */
  public static final String TEAM_LABEL = "arkonis.dev/team";

  private final KubernetesClient client;
  private final WorkflowClient temporal;
  private final StatusWriter status;
  private final SpecValidator validator = new SpecValidator();
  private final Clock clock;
  private final Warnings warnings;
  private final RunRepair repair;
  private final Caches caches;

  /** Where user-visible problems of a run go (the operator records them as Warning Events). */
  @FunctionalInterface
  public interface Warnings {
    void warn(ArkRun run, String reason, String message);
  }

  /** Reason of the Warning recorded when a run fails before its workflow starts. */
  public static final String RUN_FAILED = "RunFailed";

  /**
   * @param warnings receives (run, reason, message) for user-visible problems
   */
  public ArkRunReconciler(
      KubernetesClient client,
      WorkflowClient temporal,
      StatusWriter status,
      Clock clock,
      Warnings warnings) {
    this(client, null, temporal, status, clock, warnings);
  }

  /**
   * @param caches the operator's informer caches: a run they show finished is skipped without an
   *     API read (an operator starting next to 10,000 finished runs reads none of them); null to
   *     always read the API
   */
  public ArkRunReconciler(
      KubernetesClient client,
      Caches caches,
      WorkflowClient temporal,
      StatusWriter status,
      Clock clock,
      Warnings warnings) {
    this.client = client;
    this.caches = caches;
    this.temporal = temporal;
    this.status = status;
    this.clock = clock;
    this.warnings = warnings;
    this.repair = new RunRepair(temporal, status, clock);
  }

  @Override
  public String kind() {
    return "ArkRun";
  }

  /**
   * Status writes (the workflow's, at every step transition, and this reconciler's own) do not
   * enqueue the run: its reconcile reads only spec and metadata, and a closed workflow's missing
   * end is found at the operator's start and resync.
   */
  @Override
  public boolean reconcilesUpdate(HasMetadata old, HasMetadata current) {
    return !Updates.statusOnly(old, current);
  }

  @Override
  public void reconcile(String namespace, String name) {
    if (caches != null) {
      ArkRun cached = caches.get(ArkRun.class, namespace, name);
      if (cached != null
          && cached.getMetadata().getDeletionTimestamp() == null
          && !TeamRuns.phase(cached).isEmpty()
          && Phases.terminal(TeamRuns.phase(cached))) {
        return; // a finished run never changes phase again (StatusWriter)
      }
    }
    ArkRun run = client.resources(ArkRun.class).inNamespace(namespace).withName(name).get();
    if (run == null) {
      return;
    }
    String workflowId = RunPlan.workflowId(namespace, name);
    if (run.getMetadata().getDeletionTimestamp() != null) {
      finalizeDeletion(run, workflowId);
      return;
    }
    JsonNode tree = tree(run);
    String phase = tree.path("status").path("phase").asText("");
    if (Phases.terminal(phase) && !phase.isEmpty()) {
      return;
    }
    if (tree.path("status").hasNonNull("workflowId")) {
      // started: the workflow owns the status, unless it closed without writing its end
      repair.repair(run, tree);
      return;
    }
    try {
      ensureFinalizerAndLabel(run, tree);
    } catch (KubernetesClientException e) {
      if (!ApiErrors.refusal(e)) {
        throw e;
      }
      throw reported(run, e, "cannot add finalizer " + FINALIZER + " and label " + TEAM_LABEL);
    }
    start(run, tree, workflowId);
  }

  private void start(ArkRun run, JsonNode tree, String workflowId) {
    String namespace = run.getMetadata().getNamespace();
    String name = run.getMetadata().getName();
    JsonNode spec = tree.path("spec");
    String teamName = spec.path("teamRef").path("name").asText();
    ArkTeam team = client.resources(ArkTeam.class).inNamespace(namespace).withName(teamName).get();
    if (team == null) {
      pending(run, "ArkTeam " + teamName + " not found in namespace " + namespace + "; create it");
      return;
    }
    JsonNode teamTree = tree(team);
    List<Problem> problems = validator.validateStored(teamTree);
    if (!problems.isEmpty()) {
      fail(run, "ArkTeam " + teamName + " is invalid: " + problems.get(0).formatForCondition());
      return;
    }
    RunPlan plan;
    RetrySeeds seeds = new RetrySeeds(client, temporal);
    try {
      Map<String, Object> given =
          spec.has("input")
              ? client.getKubernetesSerialization().convertValue(spec.path("input"), Map.class)
              : Map.of();
      Map<String, Object> input = InputResolver.resolve(teamTree.path("spec"), castMap(given));
      RunPlanner planner =
          new RunPlanner(
                  new ClusterReferences(client, namespace),
                  notice -> warnings.warn(run, "PlanNotice", notice),
                  true)
              .requiringReferences();
      plan =
          planner
              .plan(
                  namespace,
                  teamName,
                  teamTree.path("spec"),
                  name,
                  input,
                  trigger(spec),
                  seeds.priorSteps(namespace, spec.path("retryOf"), teamTree),
                  spec.hasNonNull("maxTokens") ? spec.path("maxTokens").asLong() : null,
                  spec.hasNonNull("timeoutSeconds") ? spec.path("timeoutSeconds").asLong() : null)
              .withStatusTaskQueue(TeamRunWorkflow.TASK_QUEUE);
    } catch (SpecException e) {
      fail(run, e.getMessage());
      return;
    }
    Map<String, Object> memo = new LinkedHashMap<>();
    memo.put("team", teamName);
    memo.put("input", plan.input());
    TeamRunWorkflow workflow =
        temporal.newWorkflowStub(
            TeamRunWorkflow.class,
            SearchAttributeSetup.forRun(
                    WorkflowOptions.newBuilder()
                        .setWorkflowId(workflowId)
                        .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                        .setWorkflowIdReusePolicy(
                            WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                        .setMemo(memo)
                        .setStaticSummary(
                            "ArkTeam " + teamName + " · ArkRun " + namespace + "/" + name),
                    temporal,
                    namespace,
                    teamName,
                    name)
                .build());
    String runId;
    try {
      runId = WorkflowClient.start(workflow::run, plan).getRunId();
    } catch (WorkflowExecutionAlreadyStarted e) {
      runId = e.getExecution().getRunId();
    }
    String startedRunId = runId;
    String now = Times.format(clock.millis());
    status.update(
        ArkRun.class,
        namespace,
        name,
        (object, current) -> startedPatch(current, workflowId, startedRunId, now));
    String truncated = seeds.truncatedReuse(spec.path("retryOf").path("run").asText());
    if (truncated != null) {
      status.update(
          ArkRun.class,
          namespace,
          name,
          (object, current) ->
              JsonNodeFactory.instance
                  .objectNode()
                  .set(
                      "conditions",
                      Conditions.set(
                          current.path("conditions"),
                          Conditions.OUTPUTS_TRUNCATED,
                          Conditions.TRUE,
                          "WorkflowResultUnavailable",
                          truncated,
                          generation(object),
                          clock)));
    }
  }

  private static long generation(ArkRun run) {
    return run.getMetadata().getGeneration() == null ? 0 : run.getMetadata().getGeneration();
  }

  /**
   * The status patch after the workflow started (or was found started: an operator restart). The
   * workflow may have written its own status in between — even a terminal phase — so only what is
   * still missing is set: {@code Pending} only over no phase or {@code Pending}.
   */
  static ObjectNode startedPatch(
      JsonNode current, String workflowId, String runId, String startTime) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    String phase = current.path("phase").asText("");
    boolean untouched = phase.isEmpty() || Phases.PENDING.equals(phase);
    if (untouched) {
      patch.put("phase", Phases.PENDING);
      patch.putNull("message"); // "ArkTeam ... not found" while it waited for its team
    }
    patch.put("workflowId", workflowId);
    if (!current.hasNonNull("workflowRunId")) {
      patch.put("workflowRunId", runId);
    }
    if (!current.hasNonNull("startTime")) {
      patch.put("startTime", startTime);
    }
    return patch;
  }

  /**
   * An API error (403 Forbidden from RBAC or admission, 422 Invalid, ...) becomes a Warning Event
   * and the run's {@code status.message}; the returned exception makes the controller try again
   * with backoff.
   */
  private ReportedException reported(ArkRun run, KubernetesClientException e, String action) {
    ReportedException reported = ApiErrors.reported(e, action + " on ArkRun " + key(run));
    warnings.warn(run, reported.reason(), reported.getMessage());
    try {
      ObjectNode patch = JsonNodeFactory.instance.objectNode();
      patch.put("message", reported.getMessage());
      status.merge(
          ArkRun.class, run.getMetadata().getNamespace(), run.getMetadata().getName(), patch);
    } catch (KubernetesClientException statusError) {
      // the status cannot be written either (e.g. also forbidden): the Event says it
    }
    return reported;
  }

  private static String key(ArkRun run) {
    return run.getMetadata().getNamespace() + "/" + run.getMetadata().getName();
  }

  private void finalizeDeletion(ArkRun run, String workflowId) {
    List<String> finalizers = run.getMetadata().getFinalizers();
    if (finalizers == null || !finalizers.contains(FINALIZER)) {
      return;
    }
    WorkflowStub stub = temporal.newUntypedWorkflowStub(workflowId);
    try {
      WorkflowExecutionStatus state = stub.describe().getStatus();
      if (state == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        stub.cancel("ArkRun deleted");
        // the controller retries with backoff until the workflow has closed
        throw new IllegalStateException(
            "waiting for workflow "
                + workflowId
                + " to record Cancelled before removing "
                + FINALIZER);
      }
    } catch (WorkflowNotFoundException e) {
      // never started or already gone: nothing to cancel
    }
    client
        .resources(ArkRun.class)
        .inNamespace(run.getMetadata().getNamespace())
        .withName(run.getMetadata().getName())
        .edit(
            r -> {
              r.getMetadata().getFinalizers().remove(FINALIZER);
              return r;
            });
  }

  private void ensureFinalizerAndLabel(ArkRun run, JsonNode tree) {
    String team = tree.path("spec").path("teamRef").path("name").asText();
    boolean hasFinalizer =
        run.getMetadata().getFinalizers() != null
            && run.getMetadata().getFinalizers().contains(FINALIZER);
    boolean hasLabel =
        run.getMetadata().getLabels() != null
            && team.equals(run.getMetadata().getLabels().get(TEAM_LABEL));
    if (hasFinalizer && hasLabel) {
      return;
    }
    client
        .resources(ArkRun.class)
        .inNamespace(run.getMetadata().getNamespace())
        .withName(run.getMetadata().getName())
        .edit(
            r -> {
              if (r.getMetadata().getFinalizers() == null
                  || !r.getMetadata().getFinalizers().contains(FINALIZER)) {
                r.getMetadata()
                    .setFinalizers(
                        new java.util.ArrayList<>(
                            r.getMetadata().getFinalizers() == null
                                ? List.of()
                                : r.getMetadata().getFinalizers()));
                r.getMetadata().getFinalizers().add(FINALIZER);
              }
              Map<String, String> labels =
                  new LinkedHashMap<>(
                      r.getMetadata().getLabels() == null ? Map.of() : r.getMetadata().getLabels());
              labels.put(TEAM_LABEL, team);
              r.getMetadata().setLabels(labels);
              return r;
            });
  }

  private void pending(ArkRun run, String message) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.put("phase", Phases.PENDING);
    patch.put("message", message);
    status.merge(
        ArkRun.class, run.getMetadata().getNamespace(), run.getMetadata().getName(), patch);
  }

  private void fail(ArkRun run, String message) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    String now = Times.format(clock.millis());
    patch.put("phase", Phases.FAILED);
    patch.put("message", message);
    patch.put("startTime", now);
    patch.put("completionTime", now);
    if (status.merge(
        ArkRun.class, run.getMetadata().getNamespace(), run.getMetadata().getName(), patch)) {
      warnings.warn(run, RUN_FAILED, message);
    }
  }

  private static Map<String, Object> trigger(JsonNode spec) {
    Map<String, Object> trigger = new LinkedHashMap<>();
    JsonNode by = spec.path("triggeredBy");
    if (by.isObject()) {
      trigger.put("kind", by.path("kind").asText(""));
      trigger.put("name", by.path("name").asText(""));
    }
    return trigger;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  private JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }
}
