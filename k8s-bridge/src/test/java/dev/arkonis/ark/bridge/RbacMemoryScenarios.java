package dev.arkonis.ark.bridge;

import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import java.time.Duration;

/**
 * {@link RbacUsageTest}'s ArkMemory scenario: an ArkMemory whose Redis Secret is missing gets
 * Ready=False and MemoryUnavailable=True (the reconciler reads it, its Secret, writes its status).
 */
final class RbacMemoryScenarios {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final RbacFixture cluster;

  RbacMemoryScenarios(RbacFixture cluster) {
    this.cluster = cluster;
  }

  void memories() {
    cluster.apply(
        ArkMemory.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkMemory
        metadata: {name: notes}
        spec: {backend: redis, redis: {secretRef: {name: no-such-redis}}}
        """);
    await()
        .atMost(WAIT)
        .until(
            () ->
                "True"
                    .equals(
                        RbacFixture.condition(
                                cluster.status(ArkMemory.class, "notes"), "MemoryUnavailable")
                            .path("status")
                            .asText()));
  }
}
