package dev.arkonis.ark.bridge.a2a;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Where the A2A tasks of one ArkService run (Temporal workflows, {@link TemporalTasks}). */
public interface A2aTasks {
  /** A2A task states ark uses (A2A 0.3 {@code TaskState}). */
  String WORKING = "working";

  String COMPLETED = "completed";
  String FAILED = "failed";
  String CANCELED = "canceled";

  /**
   * One task as the protocol reports it.
   *
   * @param id task id
   * @param contextId the conversation the task belongs to
   * @param state {@link #WORKING}, {@link #COMPLETED}, {@link #FAILED} or {@link #CANCELED}
   * @param input the user's message text
   * @param output the agent's answer (completed), or null
   * @param message why it failed or was canceled, or null
   * @param agent the ArkAgent that runs it
   * @param timestamp ISO-8601 time of the last state change
   */
  record Task(
      String id,
      String contextId,
      String state,
      String input,
      String output,
      String message,
      String agent,
      String timestamp) {
    public boolean terminal() {
      return !WORKING.equals(state);
    }
  }

  /** A request the tasks refuse, as a JSON-RPC error. */
  final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final int code;

    public Refused(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /** Starts a task for {@code text} on one of the service's agents (chosen by its strategy). */
  Task start(String text, String contextId) throws Refused;

  /** The task, or empty when this service has no task with that id. */
  Optional<Task> get(String id);

  /** Completes with the task once it reached a terminal state. */
  CompletionStage<Task> done(String id);

  /** Requests cancellation and returns the task as it is then. */
  Task cancel(String id) throws Refused;
}
