package dev.arkonis.ark.bridge.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StrategiesTest {
  static final Map<String, String> AGENTS = new LinkedHashMap<>();

  static {
    AGENTS.put("c", "ark/ns/c");
    AGENTS.put("a", "ark/ns/a");
    AGENTS.put("b", "ark/ns/b");
  }

  static List<String> picks(Strategies strategies, String strategy, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(strategies.pick(strategy, AGENTS));
    }
    return out;
  }

  @Test
  void roundRobinTakesTheAgentsInTurnByName() {
    Strategies s = new Strategies(q -> null, new Random(1));
    assertThat(picks(s, "round-robin", 6)).containsExactly("a", "b", "c", "a", "b", "c");
    assertThat(picks(new Strategies(q -> null, new Random(1)), null, 2)).containsExactly("a", "b");
  }

  @Test
  void randomSpreadsOverAllAgents() {
    Map<String, Integer> counts = new HashMap<>();
    for (String agent : picks(new Strategies(q -> null, new Random(42)), "random", 300)) {
      counts.merge(agent, 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("a", "b", "c");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(60, 140));
  }

  @Test
  void leastBusyTakesTheSmallestBacklogPerPoller() {
    Map<String, Strategies.QueueLoad> loads =
        Map.of(
            "ark/ns/a", new Strategies.QueueLoad(10, 2), // 5 per poller
            "ark/ns/b", new Strategies.QueueLoad(3, 1), // 3 per poller
            "ark/ns/c", new Strategies.QueueLoad(0, 0)); // nobody polls
    Strategies s = new Strategies(loads::get, new Random(1));
    assertThat(picks(s, "least-busy", 4)).containsOnly("b");
  }

  @Test
  void leastBusyAvoidsAgentsWithoutPollersAndBreaksTiesByRunningTasks() {
    Map<String, Strategies.QueueLoad> loads =
        Map.of(
            "ark/ns/a", new Strategies.QueueLoad(0, 1),
            "ark/ns/b", new Strategies.QueueLoad(0, 1),
            "ark/ns/c", new Strategies.QueueLoad(0, 0));
    Strategies s = new Strategies(loads::get, new Random(1));
    s.started("a");
    assertThat(picks(s, "least-busy", 3)).containsOnly("b");
    s.finished("a");
    s.started("b");
    assertThat(picks(s, "least-busy", 3)).containsOnly("a");
  }

  @Test
  void leastBusyWithoutDescribeTaskQueueUsesTheTasksRunningHere() {
    Strategies s = new Strategies(q -> null, new Random(1));
    s.started("a");
    s.started("a");
    s.started("c");
    assertThat(s.pick("least-busy", AGENTS)).isEqualTo("b");
    s.started("b");
    s.started("b");
    assertThat(s.pick("least-busy", AGENTS)).isEqualTo("c");
  }

  @Test
  void oneAgentIsAlwaysTheOne() {
    Strategies s = new Strategies(q -> null, new Random(1));
    assertThat(s.pick("least-busy", Map.of("only", "q"))).isEqualTo("only");
  }
}
