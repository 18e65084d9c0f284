package dev.arkonis.ark.bridge.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.events.CronCalendar;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.run.Phases;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.failure.ApplicationFailure;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes side of event fires, on the operator's queue: creates the ArkRuns of a fire, reads
 * and deletes them, and records the fire in the ArkEvent's status. Every method is idempotent, so a
 * retried activity changes nothing twice.
 */
public final class EventActivitiesImpl implements dev.arkonis.ark.workflows.api.EventActivities {
  /** Label naming the ArkEvent that created a run. */
  public static final String EVENT_LABEL = "arkonis.dev/event";

  /** Label naming the run's team. */
  public static final String TEAM_LABEL = "arkonis.dev/team";

  /**
   * Annotation on the ArkEvent: the ids of its most recent recorded fires (space-separated, newest
   * last), so a retried {@code recordFire} does not count a fire twice.
   */
  public static final String RECENT_FIRES = "arkonis.dev/recent-fires";

  static final int RECENT_FIRES_KEPT = 20;

  /** Annotation on a run created by a fire: the fire's id (which fire a run belongs to). */
  public static final String FIRE_ANNOTATION = "arkonis.dev/fire";

  /** How many other names a run gets when its generated name is taken by something else. */
  static final int NAME_ALTERNATIVES = 5;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final KubernetesClient client;
  private final EventStatusUpdater status;

  public EventActivitiesImpl(KubernetesClient client) {
    this.client = client;
    this.status = new EventStatusUpdater(client);
  }

  @Override
  public List<String> createRuns(String namespace, String event, List<NewRun> runs) {
    List<String> names = new ArrayList<>();
    for (NewRun run : runs) {
      names.add(createRun(namespace, event, run));
    }
    return names;
  }

  /**
   * Creates one run under its name or, when an ArkRun that is not this fire's holds it, under the
   * first free alternative ({@link #alternative}); an ArkRun of this fire (an earlier attempt) is
   * adopted. Returns the name used.
   */
  private String createRun(String namespace, String event, NewRun run) {
    for (int k = 0; k <= NAME_ALTERNATIVES; k++) {
      String name = k == 0 ? run.name() : alternative(run.name(), k);
      ArkRun existing = client.resources(ArkRun.class).inNamespace(namespace).withName(name).get();
      if (existing == null) {
        existing = create(namespace, event, run, name);
      }
      if (existing == null || ours(existing, event, run)) {
        return name; // created now, or by an earlier attempt of this fire
      }
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "ArkEvent "
            + namespace
            + "/"
            + event
            + ": ArkRun "
            + run.name()
            + " and its "
            + NAME_ALTERNATIVES
            + " alternative names are all taken by ArkRuns of something else; delete old ArkRuns"
            + " of team "
            + run.team()
            + " or lower the team's history limits",
        "RunNameTaken");
  }

  /**
   * The {@code k}-th other name of a generated run name: the team part kept, the 5 characters
   * derived again (deterministic, so a retried activity finds the run it created).
   */
  static String alternative(String name, int k) {
    int dash = name.lastIndexOf('-');
    String team = dash < 0 ? name : name.substring(0, dash);
    return EventFireWorkflow.runName(team, name + "~" + k, 0);
  }

  /**
   * True when an existing ArkRun was created by this fire: the event label and the fire annotation
   * match (for fires started before the annotation existed: the event label and team).
   */
  static boolean ours(ArkRun existing, String event, NewRun run) {
    Map<String, String> labels = existing.getMetadata().getLabels();
    Map<String, String> annotations = existing.getMetadata().getAnnotations();
    if (labels == null || !event.equals(labels.get(EVENT_LABEL))) {
      return false;
    }
    if (run.fireId() == null) {
      return run.team().equals(labels.get(TEAM_LABEL));
    }
    return annotations != null && run.fireId().equals(annotations.get(FIRE_ANNOTATION));
  }

  /** Creates the run; null when it was created, the object found on a 409 conflict. */
  private ArkRun create(String namespace, String event, NewRun run, String name) {
    try {
      client
          .resources(ArkRun.class)
          .inNamespace(namespace)
          .resource(arkRun(namespace, event, run, name))
          .create();
      return null;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_BAD_REQUEST || e.getCode() == 422) {
        // invalid (schema, CEL rule or the admission webhook): retrying cannot help
        throw ApplicationFailure.newNonRetryableFailure(
            "ArkEvent "
                + namespace
                + "/"
                + event
                + ": the API server rejected ArkRun "
                + name
                + ": "
                + (e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage()
                    : e.getMessage()),
            "InvalidRun");
      }
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      ArkRun existing = client.resources(ArkRun.class).inNamespace(namespace).withName(name).get();
      if (existing == null) {
        throw e; // created and deleted in between: the activity's retry tries again
      }
      return existing;
    }
  }

  @Override
  public Map<String, RunState> runStates(String namespace, List<String> runs) {
    Map<String, RunState> states = new LinkedHashMap<>();
    for (String name : runs) {
      ArkRun run = client.resources(ArkRun.class).inNamespace(namespace).withName(name).get();
      if (run == null) {
        states.put(name, new RunState(Phases.CANCELLED, null));
        continue;
      }
      JsonNode status = tree(run).path("status");
      String phase = status.path("phase").asText("");
      if (phase.isEmpty()) {
        phase = Phases.PENDING;
      }
      String output =
          Phases.SUCCEEDED.equals(phase) && status.hasNonNull("output")
              ? status.path("output").asText()
              : null;
      states.put(name, new RunState(phase, output));
    }
    return states;
  }

  @Override
  public Map<String, RunState> awaitRuns(String namespace, List<String> runs) {
    Map<String, RunState> states = runStates(namespace, runs);
    List<String> active =
        states.entrySet().stream()
            .filter(e -> !Phases.terminal(e.getValue().phase()))
            .map(e -> e.getKey() + " (" + e.getValue().phase() + ")")
            .toList();
    if (!active.isEmpty()) {
      // retryable: the activity's retry policy checks again later
      throw ApplicationFailure.newFailure(
          "runs still active: " + String.join(", ", active) + "; checking again later",
          RUNS_ACTIVE);
    }
    return states;
  }

  @Override
  public void cancelRuns(String namespace, List<String> runs) {
    for (String name : runs) {
      ArkRun run = client.resources(ArkRun.class).inNamespace(namespace).withName(name).get();
      Map<String, String> labels = run == null ? null : run.getMetadata().getLabels();
      if (labels != null && labels.containsKey(EVENT_LABEL)) { // never a run an event did not make
        client.resources(ArkRun.class).inNamespace(namespace).withName(name).delete();
      }
    }
  }

  @Override
  public void recordFire(
      String namespace,
      String event,
      String fireId,
      String firedAt,
      List<NewRun> runs,
      String nextFireAt) {
    boolean[] counted = {false};
    status.update(
        namespace,
        event,
        (object, current) -> {
          ObjectNode patch = NODES.objectNode();
          counted[0] = recentFires(object).contains(fireId) || sameRuns(current, runs);
          if (!counted[0]) {
            patch.put("firedCount", current.path("firedCount").asLong(0) + 1);
          }
          String last = current.path("lastFiredAt").asText("");
          Instant fired = seconds(firedAt);
          if (last.isEmpty() || !fired.isBefore(Instant.parse(last))) {
            patch.put("lastFiredAt", fired.toString());
            patch.set("lastRuns", lastRuns(runs));
          }
          if (nextFireAt != null && !nextFireAt.isBlank()) {
            patch.put("nextFireAt", seconds(nextFireAt).toString());
          }
          return patch;
        });
    if (!counted[0]) {
      rememberFire(namespace, event, fireId);
    }
  }

  @Override
  public long nextFireTime(String cron, String timezone, long after) {
    try {
      return CronCalendar.next(cron, timezone, after);
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "InvalidCron");
    }
  }

  /** Adds the fire id to the event's {@link #RECENT_FIRES} annotation (the newest kept). */
  private void rememberFire(String namespace, String event, String fireId) {
    MetadataUpdate.apply(
        client,
        ArkEvent.class,
        namespace,
        event,
        current -> {
          List<String> fires = new ArrayList<>(recentFires(current));
          if (fires.contains(fireId)) {
            return false;
          }
          fires.add(fireId);
          while (fires.size() > RECENT_FIRES_KEPT) {
            fires.remove(0);
          }
          Map<String, String> annotations =
              new LinkedHashMap<>(
                  current.getMetadata().getAnnotations() == null
                      ? Map.of()
                      : current.getMetadata().getAnnotations());
          annotations.put(RECENT_FIRES, String.join(" ", fires));
          current.getMetadata().setAnnotations(annotations);
          return true;
        });
  }

  static List<String> recentFires(ArkEvent event) {
    Map<String, String> annotations = event.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(RECENT_FIRES);
    return value == null || value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
  }

  /**
   * True when {@code status.lastRuns} already lists exactly this fire's runs: run names derive from
   * the fire id, so the fire was recorded (by an attempt whose answer was lost).
   */
  private static boolean sameRuns(JsonNode status, List<NewRun> runs) {
    JsonNode last = status.path("lastRuns");
    if (runs.isEmpty() || last.size() != runs.size()) {
      return false;
    }
    for (int i = 0; i < runs.size(); i++) {
      if (!runs.get(i).name().equals(last.get(i).path("name").asText())) {
        return false;
      }
    }
    return true;
  }

  private static ArrayNode lastRuns(List<NewRun> runs) {
    ArrayNode list = NODES.arrayNode();
    for (NewRun run : runs) {
      list.addObject().put("name", run.name()).put("team", run.team());
    }
    return list;
  }

  /** The CRD's date-time fields hold whole seconds. */
  private static Instant seconds(String rfc3339) {
    return Instant.parse(rfc3339).truncatedTo(ChronoUnit.SECONDS);
  }

  private ArkRun arkRun(String namespace, String event, NewRun run, String name) {
    ObjectNode tree = NODES.objectNode();
    tree.put("apiVersion", "arkonis.dev/v1alpha1");
    tree.put("kind", "ArkRun");
    ObjectNode metadata = tree.putObject("metadata");
    metadata.put("name", name);
    metadata.put("namespace", namespace);
    metadata.putObject("labels").put(EVENT_LABEL, event).put(TEAM_LABEL, run.team());
    if (run.fireId() != null) {
      metadata.putObject("annotations").put(FIRE_ANNOTATION, run.fireId());
    }
    ObjectNode spec = tree.putObject("spec");
    spec.putObject("teamRef").put("name", run.team());
    spec.set(
        "input",
        client
            .getKubernetesSerialization()
            .convertValue(run.input() == null ? Map.of() : run.input(), JsonNode.class));
    spec.putObject("triggeredBy").put("kind", "ArkEvent").put("name", event);
    return client.getKubernetesSerialization().convertValue(tree, ArkRun.class);
  }

  private JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }
}
