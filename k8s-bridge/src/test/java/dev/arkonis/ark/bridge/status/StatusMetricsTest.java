package dev.arkonis.ark.bridge.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.activities.metrics.ArkMetrics;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.notify.NotifyDeliveryActivitiesImpl;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkNotify;
import dev.arkonis.ark.workflows.api.AgentHealthActivities.HealthChange;
import dev.arkonis.ark.workflows.api.BudgetActivities.BudgetReport;
import dev.arkonis.ark.workflows.api.NotifyWorkflow;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities.RunRef;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the operator's status, budget, health and notify activities record. */
@EnableKubernetesMockClient(crud = true)
class StatusMetricsTest {
  static final String NS = "metrics";
  static KubernetesClient client;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ArkMetrics metrics = new ArkMetrics(registry);

  @BeforeEach
  void setUp() {
    CrdCatalog.install(client);
  }

  private static void create(String yaml) {
    client
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .inNamespace(NS)
        .createOrReplace();
  }

  private static RunStatus status(String phase, String completion, List<StepStatus> steps) {
    return new RunStatus(
        phase,
        "2026-12-01T10:00:00.000Z",
        completion,
        null,
        null,
        null,
        new TokenUsage(10, 5),
        steps);
  }

  private static StepStatus step(String name, String role, String phase, String end) {
    return new StepStatus(
        name,
        role,
        phase,
        1,
        "2026-12-01T10:00:00.000Z",
        end,
        "out",
        null,
        new TokenUsage(10, 5),
        null,
        null,
        0);
  }

  @Test
  void aRunIsCountedOnceWhenItReachesItsFinalPhase() {
    create(
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: r1\n"
            + "spec:\n  teamRef:\n    name: blog\n");
    RunStatusActivitiesImpl activities =
        new RunStatusActivitiesImpl(new StatusWriter(client), Clock.systemUTC(), metrics);
    RunRef ref = new RunRef(NS, "r1", "blog", "arkrun/metrics/r1", "exec-1");

    activities.write(ref, status("Running", null, List.of(step("a", "writer", "Running", null))));
    assertThat(registry.find(ArkMetrics.RUNS).counter()).isNull();
    RunStatus done =
        status(
            "Succeeded",
            "2026-12-01T10:00:42.000Z",
            List.of(step("a", "writer", "Succeeded", "2026-12-01T10:00:30.000Z")));
    activities.write(ref, done);
    activities.write(ref, done); // the activity retried: not a second run

    Counter runs =
        registry.find(ArkMetrics.RUNS).tags("team", "blog", "phase", "Succeeded").counter();
    assertThat(runs).isNotNull();
    assertThat(runs.count()).isEqualTo(1);
    Timer duration = registry.find(ArkMetrics.RUN_DURATION).tag("team", "blog").timer();
    assertThat(duration.count()).isEqualTo(1);
    assertThat(duration.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(42);
    Timer step =
        registry
            .find(ArkMetrics.STEP_DURATION)
            .tags("team", "blog", "role", "writer", "phase", "Succeeded")
            .timer();
    assertThat(step.count()).isEqualTo(1);
    assertThat(step.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(30);
  }

  @Test
  void suppressedNotificationsAreCountedByWhatTheStatusWriteAdds() {
    create(
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkNotify\nmetadata:\n  name: ops\n"
            + "spec:\n  channel:\n    type: webhook\n    url: http://127.0.0.1:9/hook\n"
            + "  events:\n    - type: TeamFailed\n");
    NotifyDeliveryActivitiesImpl delivery =
        new NotifyDeliveryActivitiesImpl(client, null, "default", Clock.systemUTC(), metrics);

    delivery.writeStatus(NS, "ops", new NotifyWorkflow.Counts(1, 2, null, null, null));
    delivery.writeStatus(NS, "ops", new NotifyWorkflow.Counts(1, 2, null, null, null));
    delivery.writeStatus(NS, "ops", new NotifyWorkflow.Counts(1, 3, null, null, null));

    assertThat(client.resources(ArkNotify.class).inNamespace(NS).withName("ops").get()).isNotNull();
    Counter suppressed =
        registry
            .find(ArkMetrics.NOTIFICATIONS)
            .tags("notify", "ops", "outcome", "suppressed")
            .counter();
    assertThat(suppressed.count()).isEqualTo(3);
  }

  @Test
  void budgetAndProbeStateAreGaugesPerAgent() {
    EventRecorder events = new EventRecorder(client, "ark-test", Clock.systemUTC());
    new BudgetActivitiesImpl(client, events, Clock.systemUTC(), metrics)
        .report(new BudgetReport(NS, "writer", 500, 120, 80, false, 0, "", "ok"));
    AgentHealthActivitiesImpl health =
        new AgentHealthActivitiesImpl(new StatusWriter(client), events, Clock.systemUTC(), metrics);
    health.writeHealth(new HealthChange(NS, "writer", true, 2, 2, "nope", true));

    assertThat(gauge(ArkMetrics.DAILY_TOKENS_USED)).isEqualTo(200);
    assertThat(gauge(ArkMetrics.DAILY_TOKENS_LIMIT)).isEqualTo(500);
    assertThat(gauge(ArkMetrics.AGENT_DEGRADED)).isEqualTo(1);

    health.writeHealth(new HealthChange(NS, "writer", false, 0, 2, "HEALTHY", true));
    assertThat(gauge(ArkMetrics.AGENT_DEGRADED)).isZero();
  }

  private double gauge(String name) {
    return registry.find(name).tags("namespace", NS, "agent", "writer").gauge().value();
  }
}
