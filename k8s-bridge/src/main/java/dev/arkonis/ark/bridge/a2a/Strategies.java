package dev.arkonis.ark.bridge.a2a;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code spec.routing.strategy} of an ArkService: which of the selected ArkAgents takes the next
 * task. {@code round-robin} (default) takes them in turn (by name); {@code random} uniformly;
 * {@code least-busy} the agent whose task queue has the smallest backlog per polling worker, as
 * Temporal's DescribeTaskQueue reports it ({@link QueueLoads}); agents with no poller come last;
 * ties go to the agent with fewer tasks this process has running on it, then round-robin. On a
 * Temporal server without DescribeTaskQueue (the in-process test server of {@code ark dev})
 * least-busy uses only the tasks this process has running on each agent.
 */
public final class Strategies {
  public static final String ROUND_ROBIN = "round-robin";
  public static final String RANDOM = "random";
  public static final String LEAST_BUSY = "least-busy";

  /** Backlog (tasks waiting) and polling workers of one task queue. */
  public record QueueLoad(long backlog, int pollers) {}

  /** Reads a task queue's load; null when the server cannot tell. */
  @FunctionalInterface
  public interface QueueLoads {
    QueueLoad load(String taskQueue);
  }

  private final QueueLoads loads;
  private final Random random;
  private final AtomicLong turn = new AtomicLong();
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

  public Strategies(QueueLoads loads, Random random) {
    this.loads = loads;
    this.random = random;
  }

  /**
   * The agent for the next task.
   *
   * @param agents agent name → task queue, non-empty
   */
  public String pick(String strategy, Map<String, String> agents) {
    List<String> names = new ArrayList<>(agents.keySet());
    names.sort(Comparator.naturalOrder());
    if (names.size() == 1) {
      return names.get(0);
    }
    return switch (strategy == null ? ROUND_ROBIN : strategy) {
      case RANDOM -> names.get(random.nextInt(names.size()));
      case LEAST_BUSY -> leastBusy(names, agents);
      default -> names.get((int) Math.floorMod(turn.getAndIncrement(), (long) names.size()));
    };
  }

  /** A task started on {@code agent}; {@link #finished} when it ends. */
  public void started(String agent) {
    running.computeIfAbsent(agent, a -> new AtomicInteger()).incrementAndGet();
  }

  public void finished(String agent) {
    AtomicInteger count = running.get(agent);
    if (count != null) {
      count.updateAndGet(n -> Math.max(0, n - 1));
    }
  }

  /** Tasks this process has running on {@code agent}. */
  int running(String agent) {
    AtomicInteger count = running.get(agent);
    return count == null ? 0 : count.get();
  }

  private String leastBusy(List<String> names, Map<String, String> agents) {
    // rotate first, so that ties go round-robin
    int offset = (int) Math.floorMod(turn.getAndIncrement(), (long) names.size());
    List<String> order = new ArrayList<>(names.subList(offset, names.size()));
    order.addAll(names.subList(0, offset));
    String best = null;
    double bestScore = Double.MAX_VALUE;
    int bestRunning = Integer.MAX_VALUE;
    for (String name : order) {
      QueueLoad load = loads.load(agents.get(name));
      double score =
          load == null
              ? 0
              : load.pollers() == 0
                  ? Double.MAX_VALUE / 2
                  : (double) load.backlog() / load.pollers();
      int mine = running(name);
      if (best == null || score < bestScore || (score == bestScore && mine < bestRunning)) {
        best = name;
        bestScore = score;
        bestRunning = mine;
      }
    }
    return best;
  }
}
