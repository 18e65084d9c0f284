package dev.arkonis.ark.activities.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.run.Verdicts;
import io.temporal.failure.ApplicationFailure;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent replica's semantic liveness probe ({@code livenessProbe.type: semantic}), one code path
 * for {@code ark agent} and the in-process workers of {@code ark dev}: every interval the validator
 * prompt goes to the agent's model and the answer's first word is checked ({@link Verdicts}). A
 * failing replica suspends polling of its workers (no new tasks), reports not ready ({@link
 * #notReady()}, served as {@code /readyz} 503) and, through {@link #gate}, refuses a chat task that
 * a long poll still open at the flip hands it (a retryable failure the next attempt of which runs
 * on another replica); it resumes when the check passes again. Each result is handed to the
 * reporter ({@link HealthReports}: the agent's {@code AgentHealth} workflow).
 */
public final class SemanticProbe implements AutoCloseable {
  /** The prompt used when {@code validatorPrompt} is unset. */
  public static final String DEFAULT_PROMPT =
      "Is 2 + 2 equal to 4? Reply with exactly one word: VALID or INVALID.";

  /** Error type of a chat task refused by a replica whose probe fails. */
  public static final String REPLICA_DEGRADED = "ReplicaDegraded";

  private static final Logger LOG = LoggerFactory.getLogger(SemanticProbe.class);

  /**
   * A semantic probe's settings.
   *
   * @param expectedAnswer the word a healthy model answers, or null for HEALTHY or VALID
   */
  public record Settings(int intervalSeconds, String validatorPrompt, String expectedAnswer) {
    /** From a {@code livenessProbe} object; null unless its type is {@code semantic}. */
    public static Settings of(JsonNode probe) {
      if (probe == null || !"semantic".equals(probe.path("type").asText())) {
        return null;
      }
      String prompt = probe.path("validatorPrompt").asText("");
      String expected = probe.path("expectedAnswer").asText("");
      return new Settings(
          Math.max(1, probe.path("intervalSeconds").asInt(30)),
          prompt.isBlank() ? DEFAULT_PROMPT : prompt,
          expected.isBlank() ? null : expected);
    }

    Set<String> accepted() {
      return Verdicts.probe(expectedAnswer);
    }
  }

  /**
   * One probe result.
   *
   * @param answer the model's answer, or the error, truncated
   */
  public record Result(boolean healthy, String answer) {}

  private final AgentActivities chat;
  private final AgentSpec agent;
  private final Settings settings;
  private final List<Worker> workers;
  private final Consumer<Result> reports;
  private volatile Result last;
  private ScheduledExecutorService scheduler;

  /**
   * @param chat the replica's chat activity (the probe asks the model through it)
   * @param agent the agent's model, provider and system prompt
   * @param workers the workers polling the agent's task queue
   * @param reports receives every result
   */
  public SemanticProbe(
      AgentActivities chat,
      AgentSpec agent,
      Settings settings,
      List<Worker> workers,
      Consumer<Result> reports) {
    this.chat = chat;
    this.agent = agent;
    this.settings = settings;
    this.workers = List.copyOf(workers);
    this.reports = reports;
  }

  /** Suspends polling until the first check passes, then checks every interval. */
  public SemanticProbe start() {
    workers.forEach(Worker::suspendPolling);
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "ark-probe-" + agent.agent());
              thread.setDaemon(true);
              return thread;
            });
    scheduler.scheduleWithFixedDelay(
        this::checkQuietly, 0, settings.intervalSeconds(), TimeUnit.SECONDS);
    return this;
  }

  public int intervalSeconds() {
    return settings.intervalSeconds();
  }

  /** Null when the last check passed, else why the replica is not ready. */
  public String notReady() {
    Result result = last;
    if (result == null) {
      return "the first semantic probe has not finished yet";
    }
    return result.healthy()
        ? null
        : "semantic probe failed: the model answered \"" + result.answer() + "\"";
  }

  /** Runs one check: asks the model, suspends or resumes polling, reports the result. */
  public Result check() {
    Result result = ask();
    last = result;
    for (Worker worker : workers) {
      if (result.healthy() && worker.isSuspended()) {
        worker.resumePolling();
      } else if (!result.healthy() && !worker.isSuspended()) {
        worker.suspendPolling();
      }
    }
    try {
      reports.accept(result);
    } catch (RuntimeException e) {
      LOG.warn("cannot report the probe result of {}: {}", agent.agent(), e.getMessage());
    }
    return result;
  }

  /**
   * The chat activity of this replica, refusing tasks while the last check failed: a task can still
   * arrive on a long poll that was open when polling was suspended. (Before the first check tasks
   * run: nothing is known against the model yet.)
   */
  public AgentActivities gate(AgentActivities delegate) {
    return new Gate(delegate);
  }

  private final class Gate implements AgentActivities {
    private final AgentActivities delegate;

    Gate(AgentActivities delegate) {
      this.delegate = delegate;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      Result result = last;
      if (result != null && !result.healthy()) {
        throw ApplicationFailure.newBuilder()
            .setType(REPLICA_DEGRADED)
            .setMessage("this replica of " + agent.agent() + " is not ready: " + notReady())
            .setNextRetryDelay(Duration.ofMillis(200))
            .build();
      }
      return delegate.chat(request);
    }
  }

  private Result ask() {
    try {
      ChatResponse response =
          chat.chat(
              new ChatRequest(
                  "liveness-probe",
                  "readyz",
                  agent,
                  List.of(ChatMessage.user(settings.validatorPrompt())),
                  null,
                  List.of()));
      String answer = truncate(response.text());
      return new Result(Verdicts.passes(answer, settings.accepted()), answer);
    } catch (RuntimeException e) {
      return new Result(false, truncate("error: " + e.getMessage()));
    }
  }

  private void checkQuietly() {
    try {
      check();
    } catch (RuntimeException e) {
      LOG.warn("semantic probe of {}: {}", agent.agent(), e.getMessage());
    }
  }

  static String truncate(String text) {
    String flat = text == null ? "" : text.strip().replaceAll("\\s+", " ");
    return flat.length() <= AgentHealthWorkflow.ANSWER_CHARS
        ? flat
        : flat.substring(0, AgentHealthWorkflow.ANSWER_CHARS - 1) + "…";
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
