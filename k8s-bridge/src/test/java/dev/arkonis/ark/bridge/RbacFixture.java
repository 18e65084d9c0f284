package dev.arkonis.ark.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The test's side of the cluster in {@link RbacUsageTest}: setup, what users and kubelets do, and
 * checks, all through the test's own client (not recorded).
 */
final class RbacFixture {
  static final String NS = "ark-teams";
  static final String LEASE_NS = "ark-system";
  static final Duration WAIT = Duration.ofSeconds(30);

  private final KubernetesClient client;

  RbacFixture(KubernetesClient client) {
    this.client = client;
  }

  /** The test's own client. */
  KubernetesClient client() {
    return client;
  }

  void installCrds() {
    CrdCatalog.install(client);
  }

  <T extends HasMetadata> T apply(Class<T> type, String yaml) {
    T object = client.getKubernetesSerialization().unmarshal(yaml, type);
    return client.resources(type).inNamespace(NS).resource(object).create();
  }

  void createRun(String name, String team, String input, String retryOf) {
    apply(
        ArkRun.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\nspec:\n  teamRef: {name: "
            + team
            + "}\n"
            + (input == null ? "" : "  input: " + input + "\n")
            + (retryOf == null ? "" : "  retryOf: " + retryOf + "\n"));
  }

  /** A metadata-only change: the object's informer delivers an update, as a resync would. */
  void touch(HasMetadata object) {
    try {
      client
          .resource(object)
          .inNamespace(NS)
          .edit(
              o -> {
                Map<String, String> annotations = new TreeMap<>();
                if (o.getMetadata().getAnnotations() != null) {
                  annotations.putAll(o.getMetadata().getAnnotations());
                }
                annotations.put("test.arkonis.dev/touched", Instant.now().toString());
                o.getMetadata().setAnnotations(annotations);
                return o;
              });
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  void editTeam(String name, UnaryOperator<ArkTeam> edit) {
    client.resources(ArkTeam.class).inNamespace(NS).withName(name).edit(edit);
  }

  /** What the kubelet and the Deployment controller would report (the mock runs no pods). */
  void setReady(String deployment, int ready) {
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(deployment)
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder()
                      .withReplicas(d.getSpec().getReplicas())
                      .withReadyReplicas(ready)
                      .build());
              return d;
            });
  }

  JsonNode status(Class<? extends HasMetadata> type, String name) {
    HasMetadata object = client.resources(type).inNamespace(NS).withName(name).get();
    return object == null
        ? MissingNode.getInstance()
        : client.getKubernetesSerialization().convertValue(object, JsonNode.class).path("status");
  }

  static JsonNode condition(JsonNode status, String type) {
    return Conditions.find(status, type);
  }

  void awaitPhase(Class<? extends HasMetadata> type, String name, String phase) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(status(type, name).path("phase").asText())
                    .as("%s %s: %s", type.getSimpleName(), name, status(type, name))
                    .isEqualTo(phase));
  }

  void awaitReady(String agent, String ready) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                ready.equals(
                    condition(status(ArkAgent.class, agent), "Ready").path("status").asText()));
  }

  void awaitGone(Class<? extends HasMetadata> type, String name) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.resources(type).inNamespace(NS).withName(name).get())
                    .as(() -> type.getSimpleName() + " " + name + " is still there; " + describe())
                    .isNull());
  }

  /** The teams, agents and runs with their status, for a failure message. */
  String describe() {
    StringBuilder out = new StringBuilder();
    for (Class<? extends HasMetadata> type : List.of(ArkTeam.class, ArkAgent.class, ArkRun.class)) {
      for (HasMetadata o : client.resources(type).inNamespace(NS).list().getItems()) {
        out.append('\n')
            .append(type.getSimpleName())
            .append(' ')
            .append(o.getMetadata().getName())
            .append(": ")
            .append(status(type, o.getMetadata().getName()));
      }
    }
    return out.toString();
  }

  String configHash(String deployment) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(deployment).get();
    return d.getSpec().getTemplate().getMetadata().getAnnotations().get("arkonis.dev/config-hash");
  }

  int replicas(String deployment) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(deployment).get();
    return d == null ? -1 : d.getSpec().getReplicas();
  }

  Lease lease() {
    return client
        .resources(Lease.class)
        .inNamespace(LEASE_NS)
        .withName(OperatorRuntime.LEASE_NAME)
        .get();
  }

  String renewTime() {
    Lease lease = lease();
    return lease == null || lease.getSpec().getRenewTime() == null
        ? ""
        : lease.getSpec().getRenewTime().toString();
  }
}
