package dev.arkonis.ark.activities.budget;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Grant;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.LedgerState;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Reservation;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Spent;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat activity's side of the daily token ledger: before a model call of an agent with {@code
 * maxDailyTokens}, {@link #reserve} sends update-with-start {@code reserve} to the agent's {@link
 * BudgetLedgerWorkflow} ({@code arkbudget/<ns>/<agent>} on {@code ark-orchestrator}; the first call
 * starts it) and throws the non-retryable {@code DailyBudgetExceeded} failure when refused; after
 * the call {@link #commit} counts what it spent (0 for a failed call).
 *
 * <p>The window is 24 hours unless the test setting {@value #WINDOW_PROPERTY} (system property) or
 * {@value #WINDOW_ENV} (environment) gives another length ({@code 90s}, {@code 2m}, {@code 1h} or
 * ISO-8601 {@code PT2M}); it applies when a ledger starts.
 */
public final class DailyBudgets {
  public static final String WINDOW_PROPERTY = "ark.budget.window";
  public static final String WINDOW_ENV = "ARK_BUDGET_WINDOW";

  private static final Logger log = LoggerFactory.getLogger(DailyBudgets.class);

  private final WorkflowClient client;
  private final Duration window;

  /**
   * @param client the Temporal client of the worker (the ledger runs in the same namespace)
   * @param window the rolling window of ledgers this process starts
   */
  public DailyBudgets(WorkflowClient client, Duration window) {
    this.client = client;
    this.window = window;
  }

  /** With the window from {@value #WINDOW_PROPERTY} / {@value #WINDOW_ENV}, else 24 hours. */
  public static DailyBudgets fromEnvironment(WorkflowClient client) {
    return new DailyBudgets(client, configuredWindow());
  }

  /** The configured window length. */
  public static Duration configuredWindow() {
    String value = System.getProperty(WINDOW_PROPERTY);
    String source = WINDOW_PROPERTY;
    if (value == null || value.isBlank()) {
      value = System.getenv(WINDOW_ENV);
      source = WINDOW_ENV;
    }
    if (value == null || value.isBlank()) {
      return BudgetLedgerWorkflow.DEFAULT_WINDOW;
    }
    return parseWindow(source, value.trim());
  }

  static Duration parseWindow(String source, String value) {
    try {
      Duration window;
      String lower = value.toLowerCase(Locale.ROOT);
      if (lower.startsWith("pt") || lower.startsWith("p")) {
        window = Duration.parse(value.toUpperCase(Locale.ROOT));
      } else if (lower.endsWith("ms")) {
        window = Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2)));
      } else if (lower.endsWith("s")) {
        window = Duration.ofSeconds(Long.parseLong(lower.substring(0, lower.length() - 1)));
      } else if (lower.endsWith("m")) {
        window = Duration.ofMinutes(Long.parseLong(lower.substring(0, lower.length() - 1)));
      } else if (lower.endsWith("h")) {
        window = Duration.ofHours(Long.parseLong(lower.substring(0, lower.length() - 1)));
      } else {
        window = Duration.ofSeconds(Long.parseLong(lower));
      }
      if (window.isZero() || window.isNegative()) {
        throw new IllegalArgumentException(
            source + "=" + value + ": the budget window must be positive, e.g. 2m");
      }
      return window;
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          source + "=" + value + ": not a duration; use e.g. 90s, 2m, 1h or PT2M");
    }
  }

  /** The agent's Kubernetes namespace, from its task queue {@code ark/<ns>/<agent>}. */
  static String namespaceOf(AgentSpec agent) {
    String queue = agent.taskQueue();
    String[] parts = queue == null ? new String[0] : queue.split("/", 3);
    return parts.length == 3 ? parts[1] : "default";
  }

  /**
   * Reserves the call ({@code inputTokens}: the prompt's estimated size) or throws {@code
   * DailyBudgetExceeded}; does nothing for an agent without a daily budget.
   */
  public void reserve(AgentSpec agent, String callId, long inputTokens) {
    if (agent.maxDailyTokens() <= 0) {
      return;
    }
    Reservation reservation =
        new Reservation(
            callId,
            inputTokens,
            agent.maxTokensPerCall(),
            agent.maxDailyTokens(),
            agent.timeoutSeconds() > 0 ? agent.timeoutSeconds() + 30 : 150);
    BudgetLedgerWorkflow ledger = ledger(agent);
    Grant grant =
        WorkflowClient.executeUpdateWithStart(
            ledger::reserve,
            reservation,
            UpdateOptions.<Grant>newBuilder()
                .setWaitForStage(WorkflowUpdateStage.COMPLETED)
                .build(),
            new WithStartWorkflowOperation<>(
                ledger::run, LedgerState.start(namespaceOf(agent), agent.agent(), window)));
    if (!grant.granted()) {
      throw ApplicationFailure.newNonRetryableFailure(
          grant.message(), BudgetLedgerWorkflow.DAILY_BUDGET_EXCEEDED);
    }
  }

  /** Counts what a reserved call spent; a failure to reach the ledger is logged, not thrown. */
  public void commit(AgentSpec agent, String callId, TokenUsage usage) {
    if (agent.maxDailyTokens() <= 0) {
      return;
    }
    TokenUsage spent = usage == null ? TokenUsage.ZERO : usage;
    try {
      BudgetLedgerWorkflow ledger = ledger(agent);
      WorkflowClient.executeUpdateWithStart(
          ledger::commit,
          new Spent(callId, spent.inputTokens(), spent.outputTokens()),
          UpdateOptions.<Void>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
          new WithStartWorkflowOperation<>(
              ledger::run, LedgerState.start(namespaceOf(agent), agent.agent(), window)));
    } catch (RuntimeException e) {
      log.warn(
          "could not count {} tokens of agent {} in its daily budget: {}",
          spent.totalTokens(),
          agent.agent(),
          e.toString());
    }
  }

  private BudgetLedgerWorkflow ledger(AgentSpec agent) {
    return client.newWorkflowStub(
        BudgetLedgerWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(BudgetLedgerWorkflow.workflowId(namespaceOf(agent), agent.agent()))
            .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
            .setWorkflowIdConflictPolicy(
                WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            .build());
  }
}
