package dev.arkonis.ark.workflows.events;

import dev.arkonis.ark.workflows.api.EventActivities;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link EventActivities} for tests: records what the workflows create, cancel and record; runs
 * stay in {@link #initialPhase} until a test moves them with {@link #finish}.
 *
 * <p>{@code nextFireTime} is a test-only reference calculation: it scans forward minute by minute
 * and converts each real minute into wall-clock time in the zone, checking the five cron fields
 * ({@code *}, numbers, {@code a-b}, {@code a,b}, {@code * /n} and {@code a-b/n}; Sunday is 0 or 7;
 * restricted day-of-month and day-of-week match either). That is exact for the crons these tests
 * use; the activities module's {@code CronCalendar} (cron-utils) is the production one, with the
 * daylight-saving edge cases tested there.
 */
final class FakeEvents implements EventActivities {
  record Created(String namespace, String event, List<NewRun> runs) {}

  record Recorded(String fireId, String firedAt, List<String> runs, String nextFireAt) {}

  final List<Created> created = new CopyOnWriteArrayList<>();
  final List<Recorded> recorded = new CopyOnWriteArrayList<>();
  final List<List<String>> cancelled = new CopyOnWriteArrayList<>();
  final Map<String, RunState> states = new ConcurrentHashMap<>();
  volatile String initialPhase = "Running";

  /** When set, createRuns records the call, then waits for it before creating anything. */
  volatile java.util.concurrent.CountDownLatch createHeld;

  /** Names held by ArkRuns of something else: createRuns answers another name for them. */
  final java.util.Set<String> taken = ConcurrentHashMap.newKeySet();

  @Override
  public List<String> createRuns(String namespace, String event, List<NewRun> runs) {
    created.add(new Created(namespace, event, List.copyOf(runs)));
    if (createHeld != null) {
      try {
        createHeld.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    List<String> names = new ArrayList<>();
    for (NewRun run : runs) {
      String name = taken.contains(run.name()) ? run.name() + "-x" : run.name();
      states.putIfAbsent(name, new RunState(initialPhase, null));
      names.add(name);
    }
    return names;
  }

  @Override
  public Map<String, RunState> runStates(String namespace, List<String> runs) {
    Map<String, RunState> out = new LinkedHashMap<>();
    runs.forEach(r -> out.put(r, states.getOrDefault(r, new RunState("Cancelled", null))));
    return out;
  }

  @Override
  public Map<String, RunState> awaitRuns(String namespace, List<String> runs) {
    awaitCalls.incrementAndGet();
    Map<String, RunState> out = runStates(namespace, runs);
    if (out.values().stream().anyMatch(s -> s.phase().equals("Running"))) {
      throw io.temporal.failure.ApplicationFailure.newFailure("runs still active", RUNS_ACTIVE);
    }
    return out;
  }

  /** How many times {@code awaitRuns} was called (each retry of the activity counts). */
  final java.util.concurrent.atomic.AtomicInteger awaitCalls =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public void cancelRuns(String namespace, List<String> runs) {
    cancelled.add(List.copyOf(runs));
    runs.forEach(r -> states.remove(r));
  }

  @Override
  public void recordFire(
      String namespace,
      String event,
      String fireId,
      String firedAt,
      List<NewRun> runs,
      String nextFireAt) {
    recorded.add(
        new Recorded(fireId, firedAt, runs.stream().map(NewRun::name).toList(), nextFireAt));
  }

  @Override
  public long nextFireTime(String cron, String timezone, long after) {
    String[] f = cron.trim().split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("source.cron '" + cron + "': expected 5 fields");
    }
    ZoneId zone = timezone == null || timezone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timezone);
    long t = Math.floorDiv(after, 60_000L) * 60_000L + 60_000L;
    for (int i = 0; i < 400 * 24 * 60; i++, t += 60_000L) {
      LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochMilli(t), zone);
      boolean domRestricted = !f[2].equals("*");
      boolean dowRestricted = !f[4].equals("*");
      boolean dom = matches(f[2], local.getDayOfMonth(), 1, 31);
      int dowValue = local.getDayOfWeek().getValue() % 7;
      boolean dow = matches(f[4], dowValue, 0, 7) || (dowValue == 0 && matches(f[4], 7, 0, 7));
      boolean day = domRestricted && dowRestricted ? dom || dow : dom && dow;
      if (day
          && matches(f[0], local.getMinute(), 0, 59)
          && matches(f[1], local.getHour(), 0, 23)
          && matches(f[3], local.getMonthValue(), 1, 12)) {
        return t;
      }
    }
    throw new IllegalArgumentException("source.cron '" + cron + "' never fires");
  }

  /** Sets a run's final phase and output. */
  void finish(String run, String phase, String output) {
    states.put(run, new RunState(phase, output));
  }

  /** Names of the runs of every createRuns call, in call order. */
  List<List<String>> createdNames() {
    List<List<String>> out = new ArrayList<>();
    created.forEach(c -> out.add(c.runs().stream().map(NewRun::name).toList()));
    return out;
  }

  private static boolean matches(String field, int value, int min, int max) {
    for (String part : field.split(",")) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = Integer.parseInt(part.substring(slash + 1));
      }
      int lo = min;
      int hi = max;
      if (!range.equals("*")) {
        int dash = range.indexOf('-');
        lo = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
        hi = dash < 0 ? (slash >= 0 ? max : lo) : Integer.parseInt(range.substring(dash + 1));
      }
      if (value >= lo && value <= hi && (value - lo) % step == 0) {
        return true;
      }
    }
    return false;
  }
}
