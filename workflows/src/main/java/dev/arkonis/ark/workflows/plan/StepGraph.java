package dev.arkonis.ark.workflows.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dependency graph of a pipeline: step name → the steps it depends on, in declaration order.
 * Pure and deterministic, so the workflow and the validator share it.
 */
public final class StepGraph {
  private final Map<String, List<String>> dependsOn;

  public StepGraph(Map<String, List<String>> dependsOn) {
    this.dependsOn = new LinkedHashMap<>();
    dependsOn.forEach((step, deps) -> this.dependsOn.put(step, List.copyOf(deps)));
  }

  public Set<String> steps() {
    return dependsOn.keySet();
  }

  public List<String> dependenciesOf(String step) {
    return dependsOn.getOrDefault(step, List.of());
  }

  /**
   * A dependency cycle as the list of its steps with the first repeated at the end (e.g. {@code [a,
   * b, a]}), or an empty list when the graph is acyclic. Unknown dependencies are ignored.
   */
  public List<String> findCycle() {
    Map<String, Integer> state = new HashMap<>(); // 1 = on the stack, 2 = done
    Deque<String> stack = new ArrayDeque<>();
    for (String start : dependsOn.keySet()) {
      List<String> cycle = visit(start, state, stack);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    return List.of();
  }

  private List<String> visit(String step, Map<String, Integer> state, Deque<String> stack) {
    Integer s = state.get(step);
    if (s != null && s == 2) {
      return List.of();
    }
    if (s != null && s == 1) {
      List<String> path = new ArrayList<>(stack);
      java.util.Collections.reverse(path);
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(step), path.size()));
      cycle.add(step);
      return cycle;
    }
    state.put(step, 1);
    stack.push(step);
    for (String dep : dependenciesOf(step)) {
      if (dependsOn.containsKey(dep)) {
        List<String> cycle = visit(dep, state, stack);
        if (!cycle.isEmpty()) {
          return cycle;
        }
      }
    }
    stack.pop();
    state.put(step, 2);
    return List.of();
  }

  /** Every step {@code step} depends on, directly or through others. */
  public Set<String> ancestorsOf(String step) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(dependenciesOf(step));
    while (!todo.isEmpty()) {
      String next = todo.pop();
      if (seen.add(next)) {
        todo.addAll(dependenciesOf(next));
      }
    }
    return seen;
  }

  /**
   * Steps not yet started whose dependencies are all in {@code satisfied}, in declaration order.
   */
  public List<String> ready(Collection<String> satisfied, Collection<String> started) {
    Set<String> done = new HashSet<>(satisfied);
    List<String> ready = new ArrayList<>();
    for (Map.Entry<String, List<String>> entry : dependsOn.entrySet()) {
      if (!started.contains(entry.getKey()) && done.containsAll(entry.getValue())) {
        ready.add(entry.getKey());
      }
    }
    return ready;
  }

  /** The longest chain of steps by summed weight (e.g. expected duration): the critical path. */
  public long criticalPath(Map<String, Long> weight) {
    Map<String, Long> finish = new HashMap<>();
    long best = 0;
    for (String step : dependsOn.keySet()) {
      best = Math.max(best, finishOf(step, weight, finish, new HashSet<>()));
    }
    return best;
  }

  private long finishOf(
      String step, Map<String, Long> weight, Map<String, Long> finish, Set<String> visiting) {
    Long known = finish.get(step);
    if (known != null) {
      return known;
    }
    if (!visiting.add(step)) {
      throw new IllegalStateException("cycle through " + step);
    }
    long start = 0;
    for (String dep : dependenciesOf(step)) {
      if (dependsOn.containsKey(dep)) {
        start = Math.max(start, finishOf(dep, weight, finish, visiting));
      }
    }
    long end = start + weight.getOrDefault(step, 0L);
    finish.put(step, end);
    return end;
  }
}
