package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.RunSearchAttributes;
import io.temporal.workflow.Workflow;

/**
 * Keeps the {@code ArkPhase} search attribute of the run's workflow equal to the run's phase
 * (upserted when it changes). Does nothing for a workflow started without the attribute (a server
 * where it could not be registered, or a history from before it existed).
 */
final class PhaseAttribute {
  /** Change id: phase upserts add commands to the history. */
  static final String VERSION = "search-attribute-phase";

  private final boolean enabled;
  private String upserted;

  PhaseAttribute() {
    this.enabled = Workflow.getTypedSearchAttributes().containsKey(RunSearchAttributes.PHASE);
    this.upserted =
        enabled ? Workflow.getTypedSearchAttributes().get(RunSearchAttributes.PHASE) : null;
  }

  /** Upserts the phase when it differs from the last value the workflow recorded. */
  void sync(String phase) {
    if (!enabled || phase.equals(upserted)) {
      return;
    }
    if (Workflow.getVersion(VERSION, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return;
    }
    upserted = phase;
    Workflow.upsertTypedSearchAttributes(RunSearchAttributes.PHASE.valueSet(phase));
  }
}
