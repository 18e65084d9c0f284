package dev.arkonis.ark.workflows.health;

import dev.arkonis.ark.workflows.api.AgentHealthActivities;
import dev.arkonis.ark.workflows.api.AgentHealthActivities.HealthChange;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.timer.Timers;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Aggregates the probe results of an agent's replicas; writes and announces the transitions. See
 * {@link AgentHealthWorkflow}. A write that fails after its retries is tried again at the next
 * result; the workflow continues as new after {@value #RESULTS_PER_RUN} results.
 */
public final class AgentHealthWorkflowImpl implements AgentHealthWorkflow {
  static final int RESULTS_PER_RUN = 500;

  private static final Logger LOG = Workflow.getLogger(AgentHealthWorkflowImpl.class);
  private static final ActivityOptions CALLS =
      ActivityOptions.newBuilder()
          .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setMaximumInterval(Duration.ofSeconds(10))
                  .setMaximumAttempts(5)
                  .build())
          .build();

  private final AgentHealthActivities kubernetes =
      Workflow.newActivityStub(
          AgentHealthActivities.class,
          ActivityOptions.newBuilder(CALLS).setSummary("health to ArkAgent status").build());
  private final NotifyActivities notify =
      Workflow.newActivityStub(
          NotifyActivities.class,
          ActivityOptions.newBuilder(CALLS).setSummary("health event to ArkNotify").build());
  private final List<ProbeResult> pending = new ArrayList<>();
  private State state;

  @Override
  public void watch(State start) {
    state = start;
    int results = 0;
    while (true) {
      long now = Workflow.currentTimeMillis();
      List<Replica> replicas = state.replicas();
      for (ProbeResult result : pending) {
        replicas = ReplicaTable.record(replicas, result, now);
        results++;
      }
      pending.clear();
      replicas = ReplicaTable.live(replicas, now);
      state =
          new State(
              state.namespace(),
              state.agent(),
              replicas,
              state.degraded(),
              state.failing(),
              state.total());
      write(now);
      if (!pending.isEmpty()) {
        continue; // results that came in during the writes
      }
      if (state.replicas().isEmpty()) {
        return; // nobody reports: the next result starts a new run
      }
      if (results >= RESULTS_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested()) {
        Workflow.continueAsNew(state);
      }
      Duration untilExpiry =
          Duration.ofMillis(Math.max(1, ReplicaTable.nextExpiry(replicas) - now));
      Timers.await(untilExpiry, "next replica report expiry", () -> !pending.isEmpty());
    }
  }

  @Override
  public void report(ProbeResult result) {
    pending.add(result);
  }

  @Override
  public State health() {
    return state;
  }

  /** Writes the condition when its status or counts changed; announces status changes. */
  private void write(long now) {
    List<Replica> replicas = state.replicas();
    int failing = ReplicaTable.failing(replicas);
    boolean degraded = failing > 0;
    boolean first = state.degraded() == null;
    // a flip is news (Event, notification); the first write of a healthy agent is not
    boolean flips = first ? degraded : state.degraded() != degraded;
    if (!first && !flips && failing == state.failing() && replicas.size() == state.total()) {
      return;
    }
    HealthChange change =
        new HealthChange(
            state.namespace(),
            state.agent(),
            degraded,
            failing,
            replicas.size(),
            ReplicaTable.lastFailingAnswer(replicas),
            flips);
    try {
      kubernetes.writeHealth(change);
    } catch (ActivityFailure e) {
      LOG.warn("cannot write the health of {}: {}", state.agent(), e.getMessage());
      return;
    }
    if (flips) {
      announce(change, now);
    }
    state =
        new State(state.namespace(), state.agent(), replicas, degraded, failing, replicas.size());
  }

  private void announce(HealthChange change, long now) {
    String at = Instant.ofEpochMilli(now).toString();
    Map<String, Object> health = new LinkedHashMap<>();
    health.put("degraded", change.degraded());
    health.put("failingReplicas", change.failing());
    health.put("replicas", change.total());
    health.put("reason", change.reason());
    health.put("message", change.message());
    health.put("since", at);
    try {
      notify.notify(
          new Notification(
              change.namespace(),
              "ArkAgent",
              change.agent(),
              change.degraded()
                  ? NotifyActivities.AGENT_DEGRADED
                  : NotifyActivities.AGENT_RECOVERED,
              "health/" + change.namespace() + "/" + change.agent() + "/" + at,
              null,
              Map.of("agent", Map.of("name", change.agent(), "health", health))));
    } catch (ActivityFailure e) {
      LOG.warn("cannot notify the health of {}: {}", state.agent(), e.getMessage());
    }
  }
}
