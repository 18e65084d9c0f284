package dev.arkonis.ark.bridge.dashboard;

import java.util.Optional;

/**
 * The log of an agent worker running inside this process ({@code ark dev}), which has no pod whose
 * log the Kubernetes API could give.
 */
@FunctionalInterface
public interface AgentLogs {
  /** No worker runs in this process: logs come from the agent's pods. */
  AgentLogs NONE = (namespace, agent, lines) -> Optional.empty();

  /**
   * The last {@code lines} lines of the in-process worker of {@code namespace/agent}, or empty when
   * this process runs none for it.
   */
  Optional<String> tail(String namespace, String agent, int lines);
}
