package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.NS;
import static dev.arkonis.ark.bridge.RbacFixture.WAIT;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.arkonis.ark.crd.v1alpha1.ArkNotify;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link RbacUsageTest}'s ArkNotify scenarios: an ArkNotify whose Secret is missing (Ready=False, a
 * Warning Event) and one whose Secret exists (Ready=True), a run of a team with that notifyRef
 * whose end event is delivered to a local receiver and counted in the ArkNotify's status.
 */
final class RbacNotifyScenarios {
  /** Its one role's agent is {@value #AGENT}. */
  static final String TEAM =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata: {name: notified}
      spec:
        notifyRef: {name: alerts}
        roles:
          - {name: a, model: gpt-4o, replicas: 0}
        pipeline:
          - role: a
            inputs: {prompt: "Say done."}
      """;

  static final String AGENT = "notified-a";

  private final RbacFixture cluster;

  RbacNotifyScenarios(RbacFixture cluster) {
    this.cluster = cluster;
  }

  void notifications() throws Exception {
    AtomicInteger received = new AtomicInteger();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          received.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    try {
      cluster
          .client()
          .secrets()
          .inNamespace(NS)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("slack")
                  .endMetadata()
                  .addToStringData(
                      "url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
                  .build())
          .create();
      cluster.apply(ArkNotify.class, notify("alerts", "slack"));
      cluster.apply(ArkNotify.class, notify("broken", "missing"));
      awaitReady("alerts", "True");
      awaitReady("broken", "False");

      cluster.apply(ArkTeam.class, TEAM);
      cluster.createRun("n1", "notified", null, null);
      cluster.awaitPhase(ArkRun.class, "n1", "Succeeded");
      await().atMost(WAIT).until(() -> received.get() == 1);
      await()
          .atMost(WAIT)
          .until(() -> cluster.status(ArkNotify.class, "alerts").path("sentCount").asInt() == 1);
    } finally {
      receiver.stop(0);
    }
  }

  private void awaitReady(String name, String ready) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                ready.equals(
                    RbacFixture.condition(cluster.status(ArkNotify.class, name), "Ready")
                        .path("status")
                        .asText()));
  }

  private static String notify(String name, String secret) {
    return """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkNotify
        metadata: {name: %s}
        spec:
          channel:
            type: slack
            slack: {webhookUrlSecretRef: {name: %s, key: url}}
          events: [{type: TeamSucceeded}]
        """
        .formatted(name, secret);
  }
}
