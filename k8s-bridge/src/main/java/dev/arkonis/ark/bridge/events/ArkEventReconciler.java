package dev.arkonis.ark.bridge.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.informer.ReportedException;
import dev.arkonis.ark.bridge.informer.Watch;
import dev.arkonis.ark.bridge.reconcile.ApiErrors;
import dev.arkonis.ark.bridge.reconcile.Reconciler;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.ReadyStatus;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ArkEvent → what fires it. {@code cron}: a Temporal Schedule {@code arkevent/<ns>/<name>} (overlap
 * policy from {@code concurrencyPolicy}, paused while {@code suspended}, deleted with the event
 * through the finalizer {@value #FINALIZER}), or the {@code CronEvent} timer workflow on a server
 * without the Schedule API. {@code webhook}: the token Secret {@code <event>-token} and {@code
 * status.webhookURL}. {@code team-output}: one {@code EventFire} per finished run of the source
 * team. Status: {@code Ready} (with {@code InvalidSpec} from the shared validator, {@code
 * ScheduleError}, ... and a Warning Event when False), {@code observedGeneration}, {@code
 * nextFireAt}, {@code webhookURL}; the fires themselves write {@code lastFiredAt}, {@code
 * firedCount} and {@code lastRuns} ({@link EventActivitiesImpl#recordFire}).
 */
public final class ArkEventReconciler implements Reconciler {
  /** Finalizer that deletes the schedule (or cancels the timer workflow) of a deleted event. */
  public static final String FINALIZER = "arkonis.dev/delete-schedule";

  static final String INVALID_SPEC = "InvalidSpec";
  static final String SCHEDULE_ERROR = "ScheduleError";
  static final String TOKEN_ERROR = "TokenSecretInvalid";
  static final String SCHEDULED = "Scheduled";
  static final String SUSPENDED = "Suspended";
  static final String WEBHOOK_READY = "WebhookReady";
  static final String WATCHING = "Watching";

  private static final int PROBLEMS_SHOWN = 3;

  /** gRPC codes that a retry will not fix: the spec is what Temporal rejects. */
  private static final Set<Status.Code> PERMANENT =
      Set.of(
          Status.Code.INVALID_ARGUMENT, Status.Code.FAILED_PRECONDITION, Status.Code.OUT_OF_RANGE);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final StatusWriter status;
  private final SpecValidator validator = new SpecValidator();
  private final CronSchedules schedules;
  private final WebhookTokens tokens;
  private final TeamOutputFires teamOutput;
  private final String webhookBaseUrl;
  private final Clock clock;

  /**
   * @param webhookBaseUrl external base URL of the webhook server; an event's URL is {@code
   *     <base>/triggers/<ns>/<name>}
   */
  public ArkEventReconciler(
      KubernetesClient client,
      WorkflowClient temporal,
      Caches caches,
      EventRecorder events,
      String webhookBaseUrl,
      Clock clock) {
    this.client = client;
    this.events = events;
    this.status = new StatusWriter(client);
    this.schedules = new CronSchedules(temporal, clock);
    this.tokens = new WebhookTokens(client);
    this.teamOutput = new TeamOutputFires(client, temporal, caches);
    this.webhookBaseUrl = webhookBaseUrl.replaceAll("/+$", "");
    this.clock = clock;
  }

  /**
   * Adds the informers this reconciler and its watches read (before {@link #watches}). Secrets are
   * not watched (that would need list/watch on every Secret): a deleted token Secret is made again
   * at the event's next reconcile (any change, or the controller's periodic resync).
   */
  public static void inform(Operator operator) {
    operator.inform(ArkEvent.class);
  }

  /** Finished runs → the team-output events of their team. */
  public static List<Watch<?>> watches() {
    return List.of(TeamOutputFires.watch());
  }

  /** The webhook URL of an event. */
  public static String webhookUrl(String baseUrl, String namespace, String name) {
    return baseUrl.replaceAll("/+$", "") + "/triggers/" + namespace + "/" + name;
  }

  @Override
  public String kind() {
    return "ArkEvent";
  }

  @Override
  public void reconcile(String namespace, String name) {
    ArkEvent event = client.resources(ArkEvent.class).inNamespace(namespace).withName(name).get();
    if (event == null) {
      return;
    }
    if (event.getMetadata().getDeletionTimestamp() != null) {
      if (hasFinalizer(event)) {
        schedules.remove(namespace, name);
        setFinalizer(event, false);
      }
      return;
    }
    JsonNode tree = client.getKubernetesSerialization().convertValue(event, JsonNode.class);
    List<Problem> problems = validator.validateStored(tree);
    if (!problems.isEmpty()) {
      // an existing schedule keeps its last valid spec until the spec is fixed
      write(
          event,
          tree,
          Outcome.error(INVALID_SPEC, SpecValidator.summary(problems, PROBLEMS_SHOWN), Map.of()));
      return;
    }
    EventSpec spec = EventSpec.of(namespace, name, tree.path("spec"));
    Outcome out;
    try {
      if (!EventSpec.CRON.equals(spec.type()) && hasFinalizer(event)) {
        schedules.remove(namespace, name); // no longer a cron event
        setFinalizer(event, false);
      }
      out =
          switch (spec.type()) {
            case EventSpec.CRON -> cron(event, spec);
            case EventSpec.WEBHOOK -> webhook(event, spec);
            default -> teamOutput(event, spec);
          };
    } catch (KubernetesClientException e) {
      if (!ApiErrors.refusal(e)) {
        throw e; // conflicts, server and network errors: retried without a condition
      }
      ReportedException refused =
          ApiErrors.reported(e, "cannot set up ArkEvent " + namespace + "/" + name);
      out = Outcome.error(refused.reason(), refused.getMessage(), Map.of()).retrying(refused);
    }
    write(event, tree, out);
    if (out.retry() != null) {
      throw out.retry();
    }
  }

  private Outcome cron(ArkEvent event, EventSpec spec) {
    if (!hasFinalizer(event)) {
      setFinalizer(event, true); // before the schedule exists, so a deletion cannot leak it
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("webhookURL", null);
    String id = CronSchedules.id(spec.namespace(), spec.name());
    CronSchedules.Applied applied;
    try {
      applied = schedules.apply(spec);
    } catch (RuntimeException e) {
      // a cron that never fires (CronCalendar) or one Temporal rejects: retrying cannot help
      boolean permanent =
          e instanceof IllegalArgumentException || PERMANENT.contains(CronSchedules.code(e));
      String message =
          "cannot set up Temporal Schedule "
              + id
              + ": "
              + describe(e)
              + (permanent
                  ? "; check spec.source.cron and spec.source.timezone"
                  : "; retrying (is Temporal reachable?)");
      return Outcome.error(SCHEDULE_ERROR, message, Map.of()).retrying(permanent ? null : e);
    }
    Instant next = applied.nextFireAt();
    fields.put("nextFireAt", next == null ? null : next.toString());
    String what =
        (applied.timerWorkflow()
                ? "timer workflow " + id + " (this Temporal server has no Schedule API)"
                : "Temporal Schedule " + id)
            + ": cron \""
            + spec.cron()
            + "\" in "
            + spec.timezone()
            + ", concurrencyPolicy "
            + spec.concurrencyPolicy();
    return spec.suspended()
        ? Outcome.ok(SUSPENDED, "suspended (paused): " + what, fields)
        : Outcome.ok(SCHEDULED, what, fields);
  }

  private Outcome webhook(ArkEvent event, EventSpec spec) {
    String url = webhookUrl(webhookBaseUrl, spec.namespace(), spec.name());
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("webhookURL", url);
    fields.put("nextFireAt", null);
    WebhookTokens.Ensured token = tokens.ensure(event);
    if (token.problem() != null) {
      return Outcome.error(TOKEN_ERROR, token.problem(), fields);
    }
    String how =
        "POST JSON to "
            + url
            + " with header Authorization: Bearer <key "
            + WebhookTokens.KEY
            + " of Secret "
            + token.secret()
            + ">";
    return spec.suspended()
        ? Outcome.ok(SUSPENDED, "suspended: fires are refused; " + how, fields)
        : Outcome.ok(WEBHOOK_READY, how, fields);
  }

  private Outcome teamOutput(ArkEvent event, EventSpec spec) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("webhookURL", null);
    fields.put("nextFireAt", null);
    for (String run : teamOutput.fire(event, spec)) {
      events.normal(
          event,
          "Fired",
          "ArkRun " + run + " of ArkTeam " + spec.sourceTeam() + " " + spec.onPhase());
    }
    String what =
        "fires when a run of ArkTeam "
            + spec.sourceTeam()
            + " ends "
            + (TeamOutputFires.ANY_PHASE.equals(spec.onPhase())
                ? "(any of " + String.join(", ", TeamOutputFires.TERMINAL_PHASES) + ")"
                : spec.onPhase());
    return spec.suspended()
        ? Outcome.ok(SUSPENDED, "suspended: runs that end now do not fire; " + what, fields)
        : Outcome.ok(WATCHING, what, fields);
  }

  private void write(ArkEvent event, JsonNode tree, Outcome out) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    out.fields().forEach(patch::put);
    ReadyStatus.write(
            status,
            ArkEvent.class,
            event,
            tree.path("status"),
            patch,
            out.ready(),
            out.reason(),
            out.message(),
            clock)
        .ifPresent(
            before -> {
              if (Conditions.TRUE.equals(out.ready())) {
                events.normal(event, out.reason(), out.message());
              } else {
                events.warning(event, out.reason(), out.message());
              }
            });
  }

  private static boolean hasFinalizer(ArkEvent event) {
    List<String> finalizers = event.getMetadata().getFinalizers();
    return finalizers != null && finalizers.contains(FINALIZER);
  }

  private void setFinalizer(ArkEvent event, boolean present) {
    MetadataUpdate.apply(
        client,
        ArkEvent.class,
        event.getMetadata().getNamespace(),
        event.getMetadata().getName(),
        e -> {
          List<String> finalizers =
              new ArrayList<>(
                  e.getMetadata().getFinalizers() == null
                      ? List.of()
                      : e.getMetadata().getFinalizers());
          if (finalizers.contains(FINALIZER) == present) {
            return false;
          }
          if (present) {
            finalizers.add(FINALIZER);
          } else {
            finalizers.remove(FINALIZER);
          }
          e.getMetadata().setFinalizers(finalizers);
          return true;
        });
  }

  /** The gRPC status description of a Temporal error, else its message. */
  private static String describe(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        String description = grpc.getStatus().getDescription();
        return grpc.getStatus().getCode() + (description == null ? "" : " " + description);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return String.valueOf(error.getMessage());
  }

  /**
   * What a reconcile found.
   *
   * @param fields status fields to set (a null value removes the field); others are left alone
   * @param retry thrown after the status is written, so the controller retries with backoff
   */
  private record Outcome(
      String ready,
      String reason,
      String message,
      Map<String, String> fields,
      RuntimeException retry) {
    static Outcome ok(String reason, String message, Map<String, String> fields) {
      return new Outcome(Conditions.TRUE, reason, message, fields, null);
    }

    static Outcome error(String reason, String message, Map<String, String> fields) {
      return new Outcome(Conditions.FALSE, reason, message, fields, null);
    }

    Outcome retrying(RuntimeException error) {
      return new Outcome(ready, reason, message, fields, error);
    }
  }
}
