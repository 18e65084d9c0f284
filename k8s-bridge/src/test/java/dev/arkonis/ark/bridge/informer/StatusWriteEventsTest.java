package dev.arkonis.ark.bridge.informer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.bridge.OperatorRuntime;
import dev.arkonis.ark.bridge.reconcile.ArkRunReconciler;
import dev.arkonis.ark.bridge.reconcile.ArkTeamReconciler;
import dev.arkonis.ark.bridge.reconcile.Reconciler;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Status writes are most of an operator's informer events (a run's status is written at every step
 * transition, its team's {@code lastRun} at every run's phase change). They must not fan out into
 * reconciles: before, one step's status write of one run reconciled the run (an API read and a
 * Temporal describe), its team, and through the team's status write every run of the team.
 */
class StatusWriteEventsTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final Controller.Settings SETTINGS =
      new Controller.Settings(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO);

  @Test
  void aRunsStatusWriteDoesNotEnqueueTheRunButItsMetadataChangesDo() {
    Reconciler runs =
        new ArkRunReconciler(null, null, null, null, Clock.systemUTC(), (r, reason, m) -> {});
    try (Controller controller = new Controller(runs, List::of, SETTINGS)) {
      ArkRun pending = run("r1", "2", "gen: 1", "");
      controller.primaryHandler().onUpdate(pending, run("r1", "3", "gen: 1", "Running"));
      controller
          .primaryHandler()
          .onUpdate(run("r1", "3", "gen: 1", "Running"), run("r1", "4", "gen: 1", "Running"));
      assertThat(controller.queued()).isZero();

      controller
          .primaryHandler()
          .onUpdate(pending, run("r1", "5", "gen: 1\n  finalizers: [arkonis.dev/cancel-run]", ""));
      assertThat(controller.queued()).isEqualTo(1);
    }
    try (Controller controller = new Controller(runs, List::of, SETTINGS)) {
      controller
          .primaryHandler()
          .onUpdate(
              run("r1", "2", "gen: 1", "Running"),
              run("r1", "3", "gen: 2\n  deletionTimestamp: \"2026-12-01T05:00:00Z\"", "Running"));
      assertThat(controller.queued()).as("deleting a run reconciles it").isEqualTo(1);
    }
  }

  @Test
  void aStepStatusWriteDoesNotEnqueueTheTeamButAPhaseChangeDoes() {
    Watch<ArkRun> runWatch = runWatch();
    try (Controller controller = new Controller(counting("ArkTeam"), List::of, SETTINGS)) {
      var handler = controller.secondaryHandler(runWatch, new ListCaches(List.of()));
      handler.onUpdate(run("r1", "3", "gen: 1", "Running"), run("r1", "4", "gen: 1", "Running"));
      assertThat(controller.queued()).isZero();

      handler.onUpdate(run("r1", "4", "gen: 1", "Running"), run("r1", "5", "gen: 1", "Succeeded"));
      assertThat(controller.queued()).isEqualTo(1);
    }
  }

  @Test
  void aTeamsStatusWriteWakesNoRunAndASpecChangeWakesOnlyRunsNotStarted() {
    ArkRun waiting = run("waiting", "2", "gen: 1", "Pending");
    ArkRun started = run("started", "3", "gen: 1", "Running");
    started.getStatus().setWorkflowId("arkrun/ns/started");
    ArkRun finished = run("finished", "4", "gen: 1", "Succeeded");
    Caches caches = new ListCaches(List.of(waiting, started, finished));
    try (Controller controller = new Controller(counting("ArkRun"), List::of, SETTINGS)) {
      var handler = controller.secondaryHandler(OperatorRuntime.runsOfTeam(), caches);
      handler.onUpdate(team("10", 1, false), team("11", 1, true));
      assertThat(controller.queued()).as("the team's lastRun write").isZero();

      handler.onUpdate(team("11", 1, true), team("12", 2, true));
      assertThat(controller.queued()).as("a spec change wakes the waiting run only").isEqualTo(1);
    }
  }

  @Test
  void statusOnlyNeedsTheSameGenerationAndMetadata() {
    ArkRun a = run("r", "1", "gen: 3", "Running");
    assertThat(Updates.statusOnly(a, run("r", "2", "gen: 3", "Succeeded"))).isTrue();
    assertThat(Updates.statusOnly(a, run("r", "2", "gen: 4", "Running"))).isFalse();
    assertThat(Updates.statusOnly(a, run("r", "2", "gen: 3\n  finalizers: [x]", "Running")))
        .isFalse();
    assertThat(Updates.statusOnly(a, run("r", "2", "gen: 3\n  annotations: {x: y}", "Running")))
        .isFalse();
    assertThat(Updates.statusOnly(run("r", "1", "", ""), run("r", "2", "", "Running")))
        .as("no generation: unknown, so not status-only")
        .isFalse();
  }

  @Test
  void aFinishedRunInTheCacheIsSkippedWithoutAnApiRead() throws Exception {
    // no API client and no Temporal client: any read of either fails the test
    Reconciler runs =
        new ArkRunReconciler(
            null,
            new ListCaches(List.of(run("done", "9", "gen: 1", "Succeeded"))),
            null,
            null,
            Clock.systemUTC(),
            (r, reason, m) -> {});
    runs.reconcile("ns", "done");
  }

  private static Watch<ArkRun> runWatch() {
    for (Watch<?> watch : ArkTeamReconciler.watches()) {
      if (watch.type() == ArkRun.class) {
        @SuppressWarnings("unchecked")
        Watch<ArkRun> runs = (Watch<ArkRun>) watch;
        return runs;
      }
    }
    throw new AssertionError("ArkTeamReconciler does not watch ArkRuns");
  }

  /** An ArkRun of team {@code t}; {@code meta} holds {@code gen: N} and more metadata lines. */
  private static ArkRun run(String name, String resourceVersion, String meta, String phase) {
    String metadata = meta.replace("gen: ", "generation: ");
    return JSON.unmarshal(
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\n  namespace: ns\n  resourceVersion: \""
            + resourceVersion
            + "\"\n  labels: {arkonis.dev/team: t}\n"
            + (metadata.isEmpty() ? "" : "  " + metadata + "\n")
            + "spec:\n  teamRef: {name: t}\n"
            + (phase.isEmpty() ? "" : "status:\n  phase: " + phase + "\n"),
        ArkRun.class);
  }

  private static ArkTeam team(String resourceVersion, long generation, boolean withLastRun) {
    return JSON.unmarshal(
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkTeam\nmetadata:\n  name: t\n  namespace: ns\n"
            + "  resourceVersion: \""
            + resourceVersion
            + "\"\n  generation: "
            + generation
            + "\nspec:\n  roles: [{name: w, model: mock}]\n  pipeline: [{role: w}]\n"
            + (withLastRun ? "status:\n  lastRun: {name: finished, phase: Succeeded}\n" : ""),
        ArkTeam.class);
  }

  private static Reconciler counting(String kind) {
    return new Reconciler() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public void reconcile(String namespace, String name) {}
    };
  }

  /** Caches whose every kind lists the given objects (the watch mappers read only list). */
  private record ListCaches(List<? extends HasMetadata> objects) implements Caches {
    @Override
    public <T extends HasMetadata> Lister<T> lister(Class<T> type) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T extends HasMetadata> Indexer<T> indexer(Class<T> type) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
      return list(type, namespace).stream()
          .filter(o -> o.getMetadata().getName().equals(name))
          .findFirst()
          .orElse(null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> List<T> list(Class<T> type, String namespace) {
      return objects.stream().filter(type::isInstance).map(o -> (T) o).toList();
    }
  }
}
