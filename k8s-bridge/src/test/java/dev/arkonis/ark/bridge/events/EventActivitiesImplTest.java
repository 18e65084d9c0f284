package dev.arkonis.ark.bridge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.EventActivities.NewRun;
import dev.arkonis.ark.workflows.api.EventActivities.RunState;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

@EnableKubernetesMockClient(crud = true)
class EventActivitiesImplTest {
  static KubernetesClient client;

  /** Kept so the level sticks: the mock server logs every request at INFO. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private EventActivitiesImpl activities;
  private String ns;

  @BeforeEach
  void setUp(TestInfo test) {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    CrdCatalog.install(client);
    ns = "act-" + test.getTestMethod().orElseThrow().getName().toLowerCase().substring(0, 10);
    activities = new EventActivitiesImpl(client);
    create(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: hook}
        spec:
          source: {type: webhook}
          targets: [{team: a}, {team: b}, {team: c}]
        """);
  }

  @Test
  void createRunsIsIdempotent() {
    List<NewRun> runs = fire("f1");

    activities.createRuns(ns, "hook", runs);
    activities.createRuns(ns, "hook", runs); // a retried activity

    List<ArkRun> created = client.resources(ArkRun.class).inNamespace(ns).list().getItems();
    assertThat(created).hasSize(3);
    ArkRun first =
        client.resources(ArkRun.class).inNamespace(ns).withName(runs.get(0).name()).get();
    assertThat(first.getMetadata().getLabels())
        .containsEntry("arkonis.dev/event", "hook")
        .containsEntry("arkonis.dev/team", "a");
    JsonNode spec = tree(first).path("spec");
    assertThat(spec.path("teamRef").path("name").asText()).isEqualTo("a");
    assertThat(spec.path("input").path("topic").asText()).isEqualTo("ops");
    assertThat(spec.path("input").path("depth").asInt()).isEqualTo(2);
    assertThat(spec.path("triggeredBy").path("kind").asText()).isEqualTo("ArkEvent");
    assertThat(spec.path("triggeredBy").path("name").asText()).isEqualTo("hook");
  }

  @Test
  void aGeneratedNameHeldByAnotherRunIsNotAdoptedButReplaced() {
    List<NewRun> runs = fire("f1");
    // the user's own run and a run of another fire of the same event hold two of the names
    create(
        ArkRun.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata: {name: "
            + runs.get(0).name()
            + "}\nspec: {teamRef: {name: mine}}\n");
    create(
        ArkRun.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + runs.get(1).name()
            + "\n  labels: {arkonis.dev/event: hook, arkonis.dev/team: b}\n"
            + "  annotations: {arkonis.dev/fire: f0}\nspec: {teamRef: {name: b}}\n");

    List<String> names = activities.createRuns(ns, "hook", runs);
    List<String> again = activities.createRuns(ns, "hook", runs); // a retried activity

    String first = EventActivitiesImpl.alternative(runs.get(0).name(), 1);
    String second = EventActivitiesImpl.alternative(runs.get(1).name(), 1);
    assertThat(names).containsExactly(first, second, runs.get(2).name());
    assertThat(first).matches("a-[a-z0-9]{5}").isNotEqualTo(runs.get(0).name());
    assertThat(again).isEqualTo(names);
    assertThat(client.resources(ArkRun.class).inNamespace(ns).list().getItems()).hasSize(5);
    ArkRun user = client.resources(ArkRun.class).inNamespace(ns).withName(runs.get(0).name()).get();
    assertThat(tree(user).path("spec").path("teamRef").path("name").asText()).isEqualTo("mine");
    ArkRun ours = client.resources(ArkRun.class).inNamespace(ns).withName(first).get();
    assertThat(ours.getMetadata().getAnnotations()).containsEntry("arkonis.dev/fire", "f1");
    assertThat(tree(ours).path("spec").path("teamRef").path("name").asText()).isEqualTo("a");

    // a cancelled fire that still knew only the generated names never deletes the user's run
    activities.cancelRuns(ns, List.of(runs.get(0).name()));
    assertThat(client.resources(ArkRun.class).inNamespace(ns).withName(runs.get(0).name()).get())
        .isNotNull();
  }

  @Test
  void recordFireCountsEachFireOnce() {
    List<NewRun> first = fire("f1");
    activities.recordFire(ns, "hook", "f1", "2030-01-02T03:04:05.678Z", first, null);
    activities.recordFire(ns, "hook", "f1", "2030-01-02T03:04:05.678Z", first, null); // retried

    JsonNode status = status();
    assertThat(status.path("firedCount").asLong()).isEqualTo(1);
    assertThat(status.path("lastFiredAt").asText()).isEqualTo("2030-01-02T03:04:05Z");
    assertThat(status.path("lastRuns")).hasSize(3);
    assertThat(status.path("lastRuns").get(1).path("name").asText()).isEqualTo(first.get(1).name());
    assertThat(status.path("lastRuns").get(1).path("team").asText()).isEqualTo("b");

    List<NewRun> second = fire("f2");
    activities.recordFire(
        ns, "hook", "f2", "2030-01-02T04:00:00.000Z", second, "2030-01-02T05:00:00.000Z");
    // f1 retried once more after f2 was recorded: still counted once, and an older fire does
    // not take lastRuns back
    activities.recordFire(ns, "hook", "f1", "2030-01-02T03:04:05.678Z", first, null);

    status = status();
    assertThat(status.path("firedCount").asLong()).isEqualTo(2);
    assertThat(status.path("lastRuns").get(0).path("name").asText())
        .isEqualTo(second.get(0).name());
    assertThat(status.path("lastFiredAt").asText()).isEqualTo("2030-01-02T04:00:00Z");
    assertThat(status.path("nextFireAt").asText()).isEqualTo("2030-01-02T05:00:00Z");
    assertThat(EventActivitiesImpl.recentFires(event())).containsExactly("f1", "f2");
  }

  @Test
  void recentFireIdsAreBounded() {
    for (int i = 0; i < EventActivitiesImpl.RECENT_FIRES_KEPT + 5; i++) {
      activities.recordFire(
          ns,
          "hook",
          "f" + i,
          Instant.ofEpochSecond(1_900_000_000L + i).toString(),
          fire("f" + i),
          null);
    }
    assertThat(status().path("firedCount").asLong())
        .isEqualTo(EventActivitiesImpl.RECENT_FIRES_KEPT + 5);
    assertThat(EventActivitiesImpl.recentFires(event()))
        .hasSize(EventActivitiesImpl.RECENT_FIRES_KEPT)
        .endsWith("f" + (EventActivitiesImpl.RECENT_FIRES_KEPT + 4));
  }

  @Test
  void runStatesAndCancelRuns() {
    List<NewRun> runs = fire("f1");
    activities.createRuns(ns, "hook", runs.subList(0, 2));
    String done = runs.get(0).name();
    new StatusWriter(client)
        .merge(
            ArkRun.class,
            ns,
            done,
            JsonNodeFactory.instance.objectNode().put("phase", "Succeeded").put("output", "42"));

    Map<String, RunState> states =
        activities.runStates(ns, List.of(done, runs.get(1).name(), runs.get(2).name()));

    assertThat(states.get(done)).isEqualTo(new RunState("Succeeded", "42"));
    assertThat(states.get(runs.get(1).name())).isEqualTo(new RunState("Pending", null));
    assertThat(states.get(runs.get(2).name())).isEqualTo(new RunState("Cancelled", null));

    activities.cancelRuns(ns, List.of(done, runs.get(2).name()));
    assertThat(client.resources(ArkRun.class).inNamespace(ns).list().getItems())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly(runs.get(1).name());
  }

  @Test
  void awaitRunsFailsRetryablyWhileARunIsActive() {
    List<NewRun> runs = fire("f1").subList(0, 1);
    activities.createRuns(ns, "hook", runs);
    String name = runs.get(0).name();

    assertThatThrownBy(() -> activities.awaitRuns(ns, List.of(name)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("RunsActive");
              assertThat(f.isNonRetryable()).isFalse();
              assertThat(f.getOriginalMessage()).contains(name + " (Pending)");
            });
    new StatusWriter(client)
        .merge(
            ArkRun.class,
            ns,
            name,
            JsonNodeFactory.instance.objectNode().put("phase", "Succeeded").put("output", "7"));
    assertThat(activities.awaitRuns(ns, List.of(name)))
        .containsExactly(Map.entry(name, new RunState("Succeeded", "7")));
  }

  @Test
  void nextFireTimeUsesTheCronCalendar() {
    long after = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
    assertThat(Instant.ofEpochMilli(activities.nextFireTime("0 9 * * *", "Europe/Berlin", after)))
        .isEqualTo(Instant.parse("2030-01-01T08:00:00Z"));
    assertThat(Instant.ofEpochMilli(activities.nextFireTime("0 9 * * *", null, after)))
        .isEqualTo(Instant.parse("2030-01-01T09:00:00Z"));
    assertThatThrownBy(() -> activities.nextFireTime("0 25 * * *", "UTC", after))
        .isInstanceOf(ApplicationFailure.class)
        .satisfies(e -> assertThat(((ApplicationFailure) e).isNonRetryable()).isTrue());
  }

  // ---------------------------------------------------------------------------------------------

  /** The runs a fire creates for the targets a, b, c (names derived from the fire id). */
  private static List<NewRun> fire(String fireId) {
    Map<String, Object> input = Map.of("topic", "ops", "depth", 2);
    return List.of(
        new NewRun(EventFireWorkflow.runName("a", fireId, 0), "a", input, fireId),
        new NewRun(EventFireWorkflow.runName("b", fireId, 1), "b", input, fireId),
        new NewRun(EventFireWorkflow.runName("c", fireId, 2), "c", input, fireId));
  }

  private <T extends HasMetadata> void create(Class<T> type, String yaml) {
    T object = client.getKubernetesSerialization().unmarshal(yaml, type);
    client.resources(type).inNamespace(ns).resource(object).create();
  }

  private ArkEvent event() {
    return client.resources(ArkEvent.class).inNamespace(ns).withName("hook").get();
  }

  private JsonNode status() {
    return tree(event()).path("status");
  }

  private JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }
}
