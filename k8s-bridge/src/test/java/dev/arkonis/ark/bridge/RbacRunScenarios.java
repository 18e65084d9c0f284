package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.NS;
import static dev.arkonis.ark.bridge.RbacFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * {@link RbacUsageTest}'s run scenarios: runs of the crew team (see {@link RbacTeamScenarios}) and
 * of a slow team whose running run is deleted.
 */
final class RbacRunScenarios {
  static final String SLOWPOKE =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata: {name: slowpoke}
      spec:
        roles:
          - {name: a, model: gpt-4o, replicas: 0}
        pipeline:
          - role: a
            inputs: {prompt: "Take your time."}
      """;

  private final RbacFixture cluster;
  private final KubernetesClient client;

  RbacRunScenarios(RbacFixture cluster) {
    this.cluster = cluster;
    this.client = cluster.client();
  }

  /**
   * Runs start, write their status from the workflow, are pruned by the history limit (their
   * finalizer then lets go), retry a run, fail on a missing input, wait for a missing team, and a
   * deleted running run is cancelled.
   */
  void runs() {
    cluster.createRun("r1", "crew", "{topic: RBAC}", null);
    cluster.awaitPhase(ArkRun.class, "r1", "Succeeded");
    cluster.createRun("r2", "crew", "{topic: RBAC}", null);
    cluster.awaitPhase(ArkRun.class, "r2", "Succeeded");
    cluster.awaitGone(ArkRun.class, "r1"); // successfulRunsHistoryLimit: 1
    cluster.createRun("r3", "crew", "{topic: RBAC}", "{run: r2, fromStep: writer}");
    cluster.awaitPhase(ArkRun.class, "r3", "Succeeded");
    assertThat(cluster.status(ArkRun.class, "r3").path("steps").get(0).path("message").asText())
        .isEqualTo("reused from the retried run");
    cluster.awaitGone(ArkRun.class, "r2");

    cluster.createRun("no-input", "crew", null, null);
    cluster.awaitPhase(ArkRun.class, "no-input", "Failed");
    cluster.createRun("no-team", "nobody", "{topic: x}", null);
    await()
        .atMost(WAIT)
        .until(
            () ->
                cluster
                    .status(ArkRun.class, "no-team")
                    .path("message")
                    .asText()
                    .contains("ArkTeam nobody not found"));

    cluster.apply(ArkTeam.class, SLOWPOKE);
    cluster.createRun("slow", "slowpoke", null, null);
    cluster.awaitPhase(ArkRun.class, "slow", "Running");
    client.resources(ArkRun.class).inNamespace(NS).withName("slow").delete();
    // The workflow is cancelled and writes Cancelled; the reconcile that write triggers can still
    // find the workflow running (it completes just after the write) and then leaves the finalizer
    // to the informer's resync. Touching the run stands in for that resync.
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              ArkRun slow = client.resources(ArkRun.class).inNamespace(NS).withName("slow").get();
              if (slow != null) {
                cluster.touch(slow);
              }
              assertThat(slow)
                  .as(() -> "ArkRun slow is still there; " + cluster.describe())
                  .isNull();
            });
  }
}
