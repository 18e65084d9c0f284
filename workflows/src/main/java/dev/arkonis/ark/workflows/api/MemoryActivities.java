package dev.arkonis.ark.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * An agent's memory ({@code memoryRef}), on the agent's task queue: {@code recallMemory} before a
 * task, {@code storeMemory} after it, so both are in the run's history. A backend that is down is
 * not a failure: the answer carries the problem and the task runs without memory.
 */
@ActivityInterface
public interface MemoryActivities {
  /** The most relevant memories of {@code scope} for {@code task}, at most {@code topK}. */
  record RecallRequest(MemorySpec memory, String task, int topK) {}

  /**
   * @param memories the recalled memories, most relevant first
   * @param problem why the memory could not be read (then {@code memories} is empty), or null
   */
  record Recalled(List<String> memories, String problem) {
    public Recalled {
      memories = memories == null ? List.of() : List.copyOf(memories);
    }
  }

  /** One finished task to remember: its task and (a summary of) its answer. */
  record StoreRequest(MemorySpec memory, String task, String answer) {}

  /**
   * @param problem why the memory could not be written, or null
   */
  record Stored(String problem) {}

  @ActivityMethod(name = "recallMemory")
  Recalled recall(RecallRequest request);

  @ActivityMethod(name = "storeMemory")
  Stored store(StoreRequest request);
}
