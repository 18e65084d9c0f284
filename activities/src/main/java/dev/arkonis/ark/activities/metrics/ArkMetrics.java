package dev.arkonis.ark.activities.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The project's own metrics, recorded by activities (never by workflow code). Names follow the
 * Prometheus conventions once rendered by Micrometer's Prometheus registry ({@code ark.llm.tokens}
 * becomes {@code ark_llm_tokens_total}, a timer {@code ..._seconds}); labels are bounded: names
 * from the specs (namespace, team, agent, role, model, MCP server, tool) and small fixed sets
 * (direction, phase, outcome) — never run names or ids. docs/metrics.md lists them all.
 *
 * <p>{@link #global()} records into Micrometer's global registry; a process that serves {@code
 * /metrics} adds its Prometheus registry there.
 */
public final class ArkMetrics {
  public static final String TOKENS = "ark.llm.tokens";
  public static final String LLM_CALL = "ark.llm.call.duration";
  public static final String TOOL_CALL = "ark.tool.call.duration";
  public static final String RUNS = "ark.runs";
  public static final String RUN_DURATION = "ark.run.duration";
  public static final String STEP_DURATION = "ark.step.duration";
  public static final String DAILY_TOKENS_USED = "ark.agent.daily.tokens.used";
  public static final String DAILY_TOKENS_LIMIT = "ark.agent.daily.tokens.limit";
  public static final String AGENT_DEGRADED = "ark.agent.degraded";
  public static final String NOTIFICATIONS = "ark.notifications";

  /** Outcome of a call that worked. */
  public static final String SUCCESS = "success";

  /** A tool name the agent does not have (the model's invention): one label value for all. */
  public static final String UNKNOWN_TOOL = "unknown";

  /** Buckets of model calls: 50 ms to 10 min. */
  private static final Duration[] LLM_BUCKETS =
      seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);

  /** Buckets of tool calls: 5 ms to 2 min. */
  private static final Duration[] TOOL_BUCKETS =
      seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120);

  /** Buckets of runs and steps: 100 ms to 6 h. */
  private static final Duration[] RUN_BUCKETS =
      seconds(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600);

  private static final ArkMetrics GLOBAL = new ArkMetrics(Metrics.globalRegistry);

  private final MeterRegistry registry;
  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

  public ArkMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The process-wide metrics (Micrometer's global registry). */
  public static ArkMetrics global() {
    return GLOBAL;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Tokens one model call used, as the provider reported them. */
  public void tokens(
      String namespace, String team, String agent, String model, long input, long output) {
    Tags tags =
        Tags.of("namespace", v(namespace), "team", v(team), "agent", v(agent), "model", v(model));
    if (input > 0) {
      tokenCounter(tags.and("direction", "input")).increment(input);
    }
    if (output > 0) {
      tokenCounter(tags.and("direction", "output")).increment(output);
    }
  }

  private Counter tokenCounter(Tags tags) {
    return Counter.builder(TOKENS)
        .description("Tokens used by model calls (as reported by the provider)")
        .tags(tags)
        .register(registry);
  }

  /** One model call: {@code outcome} is {@link #SUCCESS} or the failure type. */
  public void llmCall(String provider, String model, String outcome, Duration took) {
    Timer.builder(LLM_CALL)
        .description("Latency of model calls of the chat activity")
        .tags("provider", v(provider), "model", v(model), "outcome", v(outcome))
        .serviceLevelObjectives(LLM_BUCKETS)
        .register(registry)
        .record(took);
  }

  /**
   * One tool call: {@code server} is the MCP server's name or {@code http} for an inline HTTP tool;
   * {@code outcome} is {@link #SUCCESS}, {@code error} (the tool answered an error) or {@code
   * unavailable}.
   */
  public void toolCall(String server, String tool, String outcome, Duration took) {
    Timer.builder(TOOL_CALL)
        .description("Latency of tool calls (MCP and inline HTTP tools)")
        .tags("server", v(server), "tool", v(tool), "outcome", v(outcome))
        .serviceLevelObjectives(TOOL_BUCKETS)
        .register(registry)
        .record(took);
  }

  /** A run reached its final phase after {@code took} (null when its start is unknown). */
  public void runFinished(String namespace, String team, String phase, Duration took) {
    Counter.builder(RUNS)
        .description("Runs that ended, by final phase")
        .tags("namespace", v(namespace), "team", v(team), "phase", v(phase))
        .register(registry)
        .increment();
    if (took != null) {
      Timer.builder(RUN_DURATION)
          .description("Duration of finished runs, start to end")
          .tags("namespace", v(namespace), "team", v(team), "phase", v(phase))
          .serviceLevelObjectives(RUN_BUCKETS)
          .register(registry)
          .record(took);
    }
  }

  /** A step of a finished run ended in {@code phase} after {@code took}. */
  public void stepFinished(
      String namespace, String team, String role, String phase, Duration took) {
    Timer.builder(STEP_DURATION)
        .description("Duration of the steps of finished runs, by role and final phase")
        .tags("namespace", v(namespace), "team", v(team), "role", v(role), "phase", v(phase))
        .serviceLevelObjectives(RUN_BUCKETS)
        .register(registry)
        .record(took);
  }

  /** The agent's daily ledger: tokens used in the current window and its limit. */
  public void dailyBudget(String namespace, String agent, long used, long limit) {
    gauge(
            DAILY_TOKENS_USED,
            "Tokens the agent used in its current daily budget window",
            namespace,
            agent)
        .set(used);
    gauge(DAILY_TOKENS_LIMIT, "The agent's maxDailyTokens", namespace, agent).set(limit);
  }

  /** The agent's probe state as its {@code Degraded} condition says: 1 degraded, 0 healthy. */
  public void degraded(String namespace, String agent, boolean degraded) {
    gauge(
            AGENT_DEGRADED,
            "1 while the agent's liveness probe marks it Degraded, else 0",
            namespace,
            agent)
        .set(degraded ? 1 : 0);
  }

  /**
   * Notifications of an ArkNotify: {@code outcome} is {@code sent}, {@code suppressed} (rate
   * limited) or {@code failed} (a delivery attempt that failed).
   */
  public void notifications(String namespace, String notify, String outcome, long count) {
    if (count <= 0) {
      return;
    }
    Counter.builder(NOTIFICATIONS)
        .description("Notifications sent, suppressed by rate limiting, or failed delivery attempts")
        .tags("namespace", v(namespace), "notify", v(notify), "outcome", v(outcome))
        .register(registry)
        .increment(count);
  }

  private AtomicLong gauge(String name, String description, String namespace, String agent) {
    String key = name + '\0' + namespace + '\0' + agent;
    return gauges.computeIfAbsent(
        key,
        k -> {
          AtomicLong value = new AtomicLong();
          Gauge.builder(name, value, AtomicLong::doubleValue)
              .description(description)
              .tags("namespace", v(namespace), "agent", v(agent))
              .strongReference(true)
              .register(registry);
          return value;
        });
  }

  private static String v(String value) {
    return value == null ? "" : value;
  }

  private static Duration[] seconds(double... values) {
    return java.util.Arrays.stream(values)
        .mapToObj(s -> Duration.ofNanos((long) (s * 1_000_000_000L)))
        .toArray(Duration[]::new);
  }

  /** The namespace of an agent's task queue {@code ark/<namespace>/<agent>}, else "". */
  public static String namespaceOf(String taskQueue) {
    if (taskQueue == null) {
      return "";
    }
    List<String> parts = List.of(taskQueue.split("/", -1));
    return parts.size() == 3 && parts.get(0).equals("ark") ? parts.get(1) : "";
  }
}
