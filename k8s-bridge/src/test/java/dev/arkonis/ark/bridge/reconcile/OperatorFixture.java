package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.arkonis.ark.bridge.informer.Controller;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running {@link Operator} with the team and agent reconcilers on a CRUD mock API server that has
 * the ark CRDs, plus the reads the tests need.
 */
final class OperatorFixture implements AutoCloseable {
  static final String NS = "ark-teams";
  static final String IMAGE = "ghcr.io/arkonis-dev/ark:test";

  /** Kept so the level sticks: the mock server logs every request at INFO. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  final KubernetesMockServer server;
  final KubernetesClient client;
  final Operator operator;
  final ArkTeamReconciler teams;
  final ArkAgentReconciler agents;

  OperatorFixture(KubernetesMockServer server, KubernetesClient client)
      throws InterruptedException {
    MOCK_LOG.setLevel(Level.WARNING);
    this.server = server;
    this.client = client;
    CrdCatalog.install(client);
    operator =
        new Operator(
            client,
            null,
            new Controller.Settings(
                2, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ZERO));
    teams = new ArkTeamReconciler(client, operator, operator.events(), Clock.systemUTC());
    agents =
        new ArkAgentReconciler(
            client,
            operator,
            operator.events(),
            IMAGE,
            "temporal:7233",
            "default",
            Clock.systemUTC());
    operator.register(teams, ArkTeamReconciler.watches());
    operator.register(agents, ArkAgentReconciler.watches());
    operator.start();
  }

  @Override
  public void close() {
    operator.close();
  }

  <T extends HasMetadata> T apply(Class<T> type, String yaml) {
    T object = client.getKubernetesSerialization().unmarshal(yaml, type);
    return client.resources(type).inNamespace(NS).resource(object).create();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return client.resources(type).inNamespace(NS).withName(name).get();
  }

  boolean exists(Class<? extends HasMetadata> type, String name) {
    return get(type, name) != null;
  }

  JsonNode status(Class<? extends HasMetadata> type, String name) {
    HasMetadata object = get(type, name);
    return object == null
        ? MissingNode.getInstance()
        : client.getKubernetesSerialization().convertValue(object, JsonNode.class).path("status");
  }

  static JsonNode condition(JsonNode status, String type) {
    return Conditions.find(status, type);
  }

  /**
   * Waits until a Warning Event with {@code reason} was recorded; {@code kind}, {@code name} and
   * {@code messagePart} (each null for any) narrow which object and message.
   */
  void awaitWarning(String reason, String kind, String name, String messagePart) {
    await()
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo(reason);
                          if (kind != null) {
                            assertThat(e.getInvolvedObject().getKind()).isEqualTo(kind);
                          }
                          if (name != null) {
                            assertThat(e.getInvolvedObject().getName()).isEqualTo(name);
                          }
                          if (messagePart != null) {
                            assertThat(e.getMessage()).contains(messagePart);
                          }
                        }));
  }

  List<Deployment> deployments() {
    return client.apps().deployments().inNamespace(NS).list().getItems();
  }

  /** The Deployment's spec replicas, -1 when it does not exist. */
  int replicas(String deployment) {
    Deployment d = get(Deployment.class, deployment);
    return d == null ? -1 : d.getSpec().getReplicas();
  }

  String configHash(String deployment) {
    return get(Deployment.class, deployment)
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get("arkonis.dev/config-hash");
  }

  /** What the kubelet and the Deployment controller would report (the mock runs no pods). */
  void setReady(String deployment, int replicas) {
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(deployment)
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder()
                      .withReplicas(replicas)
                      .withReadyReplicas(replicas)
                      .build());
              return d;
            });
  }

  /** The requests the mock server received since the last call. */
  List<RecordedRequest> drainRequests() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(50, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(50, TimeUnit.MILLISECONDS)) {
      requests.add(r);
    }
    return requests;
  }
}
