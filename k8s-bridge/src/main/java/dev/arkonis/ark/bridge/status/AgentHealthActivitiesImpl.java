package dev.arkonis.ark.bridge.status;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.metrics.ArkMetrics;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.workflows.api.AgentHealthActivities;
import java.time.Clock;

/**
 * The {@code Degraded} condition of an ArkAgent and its Events, for the {@code AgentHealth}
 * workflow. Only that condition is written; the others (Ready, BudgetExceeded) are kept as stored.
 */
public final class AgentHealthActivitiesImpl implements AgentHealthActivities {
  private final StatusWriter status;
  private final EventRecorder events;
  private final Clock clock;
  private final ArkMetrics metrics;

  public AgentHealthActivitiesImpl(StatusWriter status, EventRecorder events, Clock clock) {
    this(status, events, clock, ArkMetrics.global());
  }

  public AgentHealthActivitiesImpl(
      StatusWriter status, EventRecorder events, Clock clock, ArkMetrics metrics) {
    this.status = status;
    this.events = events;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void writeHealth(HealthChange change) {
    metrics.degraded(change.namespace(), change.agent(), change.degraded());
    ArkAgent[] agent = new ArkAgent[1];
    boolean exists =
        status.update(
                ArkAgent.class,
                change.namespace(),
                change.agent(),
                (stored, current) -> {
                  agent[0] = stored;
                  Long generation = stored.getMetadata().getGeneration();
                  ObjectNode patch = JsonNodeFactory.instance.objectNode();
                  patch.set(
                      "conditions",
                      Conditions.set(
                          current.path("conditions"),
                          Conditions.DEGRADED,
                          change.degraded() ? Conditions.TRUE : Conditions.FALSE,
                          change.reason(),
                          change.message(),
                          generation == null ? 0 : generation,
                          clock));
                  return patch;
                })
            || agent[0] != null;
    if (exists && change.transition()) {
      events.record(
          agent[0],
          change.degraded() ? EventRecorder.WARNING : EventRecorder.NORMAL,
          change.reason(),
          change.message());
    }
  }
}
