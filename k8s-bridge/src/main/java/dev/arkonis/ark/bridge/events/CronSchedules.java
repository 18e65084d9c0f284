package dev.arkonis.ark.bridge.events;

import dev.arkonis.ark.activities.events.CronCalendar;
import dev.arkonis.ark.workflows.api.CronEventWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import io.temporal.client.schedules.ScheduleUpdate;
import io.temporal.common.converter.EncodedValues;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal side of a cron ArkEvent: a Schedule {@code arkevent/<ns>/<name>} whose action starts
 * {@link EventFireWorkflow} on the operator's queue, or — on a server without the Schedule API (the
 * in-process test server) — the {@link CronEventWorkflow} timer workflow with the same id. Which
 * one is found out on first use (gRPC {@code UNIMPLEMENTED}) and remembered.
 *
 * <p>Changes are detected by a hash of the spec: kept in the schedule action's memo (so it survives
 * operator restarts), and in memory for the timer workflow (a restarted operator signals {@code
 * update} once more, which changes nothing).
 */
final class CronSchedules {
  /** Memo key of the scheduled action holding the hash of the spec it was made from. */
  static final String SPEC_MEMO = "arkonis.dev/spec-hash";

  /** Missed fires older than this (Temporal or the operator was down) are skipped. */
  static final Duration CATCHUP_WINDOW = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(CronSchedules.class);

  /** What is set up for an event. */
  record Applied(Instant nextFireAt, boolean timerWorkflow) {}

  private final WorkflowClient temporal;
  private final ScheduleClient schedules;
  private final Clock clock;
  private final Map<String, String> signalled = new ConcurrentHashMap<>();
  private volatile Boolean scheduleApi; // null: not known yet

  CronSchedules(WorkflowClient temporal, Clock clock) {
    this.temporal = temporal;
    this.clock = clock;
    this.schedules =
        ScheduleClient.newInstance(
            temporal.getWorkflowServiceStubs(),
            ScheduleClientOptions.newBuilder()
                .setNamespace(temporal.getOptions().getNamespace())
                .setDataConverter(temporal.getOptions().getDataConverter())
                .setIdentity(temporal.getOptions().getIdentity())
                .build());
  }

  /** Schedule id (and timer workflow id) of an event: {@code arkevent/<ns>/<name>}. */
  static String id(String namespace, String name) {
    return "arkevent/" + namespace + "/" + name;
  }

  /** Creates or updates what fires the event; returns its next fire time. */
  Applied apply(EventSpec spec) {
    String hash = hash(spec);
    if (!Boolean.FALSE.equals(scheduleApi)) {
      try {
        Applied applied = applySchedule(spec, hash);
        scheduleApi = true;
        return applied;
      } catch (RuntimeException e) {
        if (code(e) != Status.Code.UNIMPLEMENTED) {
          throw e;
        }
        scheduleApi = false;
        LOG.info("Temporal has no Schedule API: cron ArkEvents run as CronEvent timer workflows");
      }
    }
    return applyTimer(spec, hash);
  }

  /** Deletes the schedule, or cancels the timer workflow, of a deleted event. */
  void remove(String namespace, String name) {
    String id = id(namespace, name);
    if (!Boolean.FALSE.equals(scheduleApi)) {
      try {
        schedules.getHandle(id).delete();
        scheduleApi = true;
        return;
      } catch (RuntimeException e) {
        Status.Code code = code(e);
        if (code == Status.Code.NOT_FOUND) {
          scheduleApi = true;
          return;
        }
        if (code != Status.Code.UNIMPLEMENTED) {
          throw e;
        }
        scheduleApi = false;
      }
    }
    signalled.remove(id);
    WorkflowStub stub = temporal.newUntypedWorkflowStub(id);
    try {
      if (stub.describe().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        stub.cancel("ArkEvent " + namespace + "/" + name + " deleted");
      }
    } catch (WorkflowNotFoundException e) {
      // never started
    }
  }

  private Applied applySchedule(EventSpec spec, String hash) {
    String id = id(spec.namespace(), spec.name());
    ScheduleHandle handle = schedules.getHandle(id);
    ScheduleDescription description;
    try {
      description = handle.describe();
    } catch (RuntimeException e) {
      if (code(e) != Status.Code.NOT_FOUND) {
        throw e;
      }
      description = null;
    }
    if (description == null) {
      try {
        handle =
            schedules.createSchedule(
                id, schedule(spec, hash), ScheduleOptions.newBuilder().build());
      } catch (ScheduleAlreadyRunningException e) {
        handle.update(input -> new ScheduleUpdate(schedule(spec, hash)));
      }
      description = handle.describe();
    } else if (!hash.equals(specHash(description))) {
      handle.update(input -> new ScheduleUpdate(schedule(spec, hash)));
      description = handle.describe();
    }
    List<Instant> next = description.getInfo().getNextActionTimes();
    return new Applied(spec.suspended() || next.isEmpty() ? null : next.get(0), false);
  }

  private Applied applyTimer(EventSpec spec, String hash) {
    String id = id(spec.namespace(), spec.name());
    CronEventWorkflow.CronSpec cron = spec.cronSpec();
    boolean running;
    try {
      running =
          temporal.newUntypedWorkflowStub(id).describe().getStatus()
              == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (WorkflowNotFoundException e) {
      running = false;
    }
    if (!running) {
      CronEventWorkflow workflow =
          temporal.newWorkflowStub(
              CronEventWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(id)
                  .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                  // a terminated or failed timer is replaced; a running one never doubled
                  .setWorkflowIdReusePolicy(
                      WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                  .setStaticSummary(
                      "ArkEvent " + spec.namespace() + "/" + spec.name() + " · cron " + spec.cron())
                  .build());
      try {
        WorkflowClient.start(workflow::run, cron);
      } catch (WorkflowExecutionAlreadyStarted e) {
        running = true; // started meanwhile by another reconcile: tell it the spec
      }
    }
    if (running && !hash.equals(signalled.get(id))) {
      temporal.newWorkflowStub(CronEventWorkflow.class, id).update(cron);
    }
    signalled.put(id, hash);
    Instant next =
        spec.suspended()
            ? null
            : Instant.ofEpochMilli(CronCalendar.next(spec.cron(), spec.timezone(), clock.millis()));
    return new Applied(next, true);
  }

  /** The schedule: cron + zone, overlap from the concurrency policy, paused when suspended. */
  static Schedule schedule(EventSpec spec, String hash) {
    EventFireWorkflow.FireRequest request =
        new EventFireWorkflow.FireRequest(
            spec.namespace(), spec.name(), Map.of(), spec.targets(), spec.waitForRuns(), null);
    return Schedule.newBuilder()
        .setAction(
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(EventFireWorkflow.class)
                .setArguments(request)
                .setOptions(
                    WorkflowOptions.newBuilder()
                        // the server appends the fire time: arkevent/<ns>/<name>/cron-<time>
                        .setWorkflowId(id(spec.namespace(), spec.name()) + "/cron")
                        .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                        .setMemo(Map.of(SPEC_MEMO, hash))
                        .build())
                .build())
        .setSpec(
            ScheduleSpec.newBuilder()
                .setCronExpressions(List.of(spec.cron()))
                .setTimeZoneName(spec.timezone())
                .build())
        .setPolicy(
            SchedulePolicy.newBuilder()
                .setOverlap(overlap(spec.concurrencyPolicy()))
                .setCatchupWindow(CATCHUP_WINDOW)
                .build())
        .setState(
            ScheduleState.newBuilder()
                .setPaused(spec.suspended())
                .setNote(
                    spec.suspended()
                        ? "suspended: ArkEvent "
                            + spec.namespace()
                            + "/"
                            + spec.name()
                            + " has spec.suspended: true"
                        : "")
                .build())
        .build();
  }

  static ScheduleOverlapPolicy overlap(String concurrencyPolicy) {
    return switch (concurrencyPolicy) {
      case EventSpec.FORBID -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP;
      case EventSpec.REPLACE -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER;
      default -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;
    };
  }

  /** The spec hash the described schedule was made from, or null. */
  private static String specHash(ScheduleDescription description) {
    if (!(description.getSchedule().getAction() instanceof ScheduleActionStartWorkflow action)
        || action.getOptions() == null
        || action.getOptions().getMemo() == null) {
      return null;
    }
    Object value = action.getOptions().getMemo().get(SPEC_MEMO);
    try {
      return value instanceof EncodedValues encoded
          ? encoded.get(0, String.class)
          : value == null ? null : value.toString();
    } catch (RuntimeException e) {
      return null; // unreadable: treat as changed
    }
  }

  /** Changes whenever anything the schedule or the timer is made from changes. */
  static String hash(EventSpec spec) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(("v1|" + spec.cronSpec()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The gRPC status code somewhere in the cause chain, or null. */
  static Status.Code code(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        return grpc.getStatus().getCode();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
