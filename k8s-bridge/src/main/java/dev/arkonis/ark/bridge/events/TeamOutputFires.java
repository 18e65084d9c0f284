package dev.arkonis.ark.bridge.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.bridge.informer.ObjectKey;
import dev.arkonis.ark.bridge.informer.Watch;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.Phases;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Team-output events: a run of the source team that reached {@code onPhase} and finished after the
 * event was created fires the event once. The fire's id is the source run's name, so its workflow
 * id {@code arkevent/<ns>/<event>/<run>} (reject-duplicate) makes a re-reconcile or an operator
 * restart start nothing twice; the source run is then annotated ({@link #FIRED}) so later
 * reconciles skip it without asking Temporal (and nothing fires again after Temporal's retention
 * forgot the workflow id).
 */
final class TeamOutputFires {
  /** {@code teamOutput.onPhase: "*"} (upstream's shape): any terminal phase fires. */
  static final String ANY_PHASE = "*";

  /** The phases a run ends in. */
  static final List<String> TERMINAL_PHASES =
      List.of("Succeeded", "Failed", "TimedOut", "BudgetExceeded", "Cancelled");

  /** Whether a run in {@code phase} fires an event with {@code onPhase}. */
  static boolean matches(String onPhase, String phase) {
    return ANY_PHASE.equals(onPhase) ? TERMINAL_PHASES.contains(phase) : onPhase.equals(phase);
  }

  /** Annotation on a source run: the team-output events it fired (comma-separated names). */
  static final String FIRED = "arkonis.dev/fired-events";

  /** ArkEvent index: {@code namespace/team} of the team whose runs fire it. */
  static final Watch.Index<ArkEvent> SOURCE_TEAM =
      new Watch.Index<>(ArkEvent.class, "ark.event.sourceTeam", TeamOutputFires::sourceTeamKeys);

  private final KubernetesClient client;
  private final WorkflowClient temporal;
  private final Caches caches;

  TeamOutputFires(KubernetesClient client, WorkflowClient temporal, Caches caches) {
    this.client = client;
    this.temporal = temporal;
    this.caches = caches;
  }

  /** A finished run → the team-output events of its team. */
  static Watch<ArkRun> watch() {
    return new Watch<>(
        ArkRun.class,
        (run, caches) -> {
          String phase =
              run.getStatus() == null || run.getStatus().getPhase() == null
                  ? null
                  : run.getStatus().getPhase().getValue();
          String team = team(run);
          if (phase == null || !Phases.terminal(phase) || team == null) {
            return List.of();
          }
          return caches
              .byIndex(
                  ArkEvent.class, SOURCE_TEAM.name(), run.getMetadata().getNamespace() + "/" + team)
              .stream()
              .map(ObjectKey::of)
              .toList();
        },
        SOURCE_TEAM);
  }

  /**
   * Fires the event for every source run not handled yet; while the event is suspended such runs
   * are marked handled without firing.
   *
   * @return the runs that fired it now
   */
  List<String> fire(ArkEvent event, EventSpec spec) {
    Instant created = instant(event.getMetadata().getCreationTimestamp());
    List<String> fired = new ArrayList<>();
    for (ArkRun run : caches.list(ArkRun.class, spec.namespace())) {
      JsonNode status =
          client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
      if (!spec.sourceTeam().equals(team(run))
          || !matches(spec.onPhase(), status.path("phase").asText())
          || firedEvents(run).contains(spec.name())
          || !finishedAfter(run, status, created)) {
        continue;
      }
      if (!spec.suspended()) {
        start(spec, run, status);
        fired.add(run.getMetadata().getName());
      }
      markFired(spec.namespace(), run.getMetadata().getName(), spec.name());
    }
    return fired;
  }

  private void start(EventSpec spec, ArkRun run, JsonNode status) {
    String source = run.getMetadata().getName();
    Map<String, Object> trigger = new LinkedHashMap<>();
    trigger.put("output", status.path("output").asText(""));
    trigger.put("run", source);
    trigger.put("team", spec.sourceTeam());
    trigger.put("phase", status.path("phase").asText());
    EventFireWorkflow workflow =
        temporal.newWorkflowStub(
            EventFireWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(EventFireWorkflow.workflowId(spec.namespace(), spec.name(), source))
                .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setStaticSummary(
                    "ArkEvent "
                        + spec.namespace()
                        + "/"
                        + spec.name()
                        + " · after ArkRun "
                        + source)
                .build());
    try {
      WorkflowClient.start(
          workflow::fire,
          new EventFireWorkflow.FireRequest(
              spec.namespace(), spec.name(), trigger, spec.targets(), false, source));
    } catch (WorkflowExecutionAlreadyStarted e) {
      // fired before (an earlier reconcile, another leader)
    }
  }

  /** Adds the event to the run's {@link #FIRED} annotation. */
  private void markFired(String namespace, String runName, String event) {
    MetadataUpdate.apply(
        client,
        ArkRun.class,
        namespace,
        runName,
        run -> {
          List<String> events = new ArrayList<>(firedEvents(run));
          if (events.contains(event)) {
            return false;
          }
          events.add(event);
          Map<String, String> annotations =
              new LinkedHashMap<>(
                  run.getMetadata().getAnnotations() == null
                      ? Map.of()
                      : run.getMetadata().getAnnotations());
          annotations.put(FIRED, String.join(",", events));
          run.getMetadata().setAnnotations(annotations);
          return true;
        });
  }

  /** Finished after the event was created: history does not fire a new event. */
  private static boolean finishedAfter(ArkRun run, JsonNode status, Instant created) {
    Instant finished = instant(status.path("completionTime").asText(null));
    if (finished == null) {
      finished = instant(run.getMetadata().getCreationTimestamp());
    }
    return created == null || (finished != null && !finished.isBefore(created));
  }

  static List<String> firedEvents(ArkRun run) {
    Map<String, String> annotations = run.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(FIRED);
    return value == null || value.isBlank() ? List.of() : Arrays.asList(value.split(","));
  }

  /** The run's team: {@code spec.teamRef.name}, else its team label. */
  static String team(ArkRun run) {
    if (run.getSpec() != null
        && run.getSpec().getTeamRef() != null
        && run.getSpec().getTeamRef().getName() != null) {
      return run.getSpec().getTeamRef().getName();
    }
    Map<String, String> labels = run.getMetadata().getLabels();
    return labels == null ? null : labels.get(EventActivitiesImpl.TEAM_LABEL);
  }

  private static List<String> sourceTeamKeys(ArkEvent event) {
    if (event.getSpec() == null
        || event.getSpec().getSource() == null
        || event.getSpec().getSource().getTeamOutput() == null
        || event.getSpec().getSource().getTeamOutput().getName() == null) {
      return List.of();
    }
    return List.of(
        event.getMetadata().getNamespace()
            + "/"
            + event.getSpec().getSource().getTeamOutput().getName());
  }

  private static Instant instant(String rfc3339) {
    if (rfc3339 == null || rfc3339.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(rfc3339);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
