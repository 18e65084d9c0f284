package dev.arkonis.ark.bridge.reconcile;

import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ArkAgent fields that are copied into the agent pods as they are (env, envFrom, resources,
 * tolerations) arrive whole, and the agent's status names its task queue, selector and replicas.
 */
@EnableKubernetesMockClient(crud = true)
class AgentPodFieldsTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private OperatorFixture k8s;

  @BeforeEach
  void setUp() throws Exception {
    k8s = new OperatorFixture(server, client);
  }

  @AfterEach
  void tearDown() {
    k8s.close();
  }

  @Test
  void everyPodFieldReachesTheDeploymentAndTheStatusNamesTheQueue() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: solo}
        spec:
          model: llama3.2
          tolerations:
            - {key: spot, operator: Equal, value: "yes", effect: NoExecute, tolerationSeconds: 60}
          env:
            - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
          envFrom:
            - {prefix: EXTRA_, configMapRef: {name: extra, optional: true}}
            - {secretRef: {name: keys, optional: true}}
          resources: {requests: {cpu: 100m}, limits: {memory: 512Mi}}
        """);
    await().until(() -> k8s.replicas("solo") == 1);
    var pod = k8s.get(Deployment.class, "solo").getSpec().getTemplate().getSpec();
    var spot = pod.getTolerations().get(0);
    assertThat(
            spot.getOperator() + spot.getValue() + spot.getEffect() + spot.getTolerationSeconds())
        .isEqualTo("EqualyesNoExecute60");
    var container = pod.getContainers().get(0);
    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().equals("POD_NAME"))
        .singleElement()
        .extracting(EnvVar::getValueFrom)
        .satisfies(
            from -> assertThat(from.getFieldRef().getFieldPath()).isEqualTo("metadata.name"));
    assertThat(container.getEnvFrom().get(0).getPrefix()).isEqualTo("EXTRA_");
    assertThat(container.getEnvFrom().get(0).getConfigMapRef().getName()).isEqualTo("extra");
    assertThat(container.getEnvFrom().get(0).getConfigMapRef().getOptional()).isTrue();
    assertThat(container.getEnvFrom().get(1).getSecretRef().getName()).isEqualTo("keys");
    assertThat(container.getEnvFrom().get(1).getSecretRef().getOptional()).isTrue();
    assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
    assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");

    k8s.setReady("solo", 1);
    await()
        .untilAsserted(
            () -> {
              JsonNode status = k8s.status(ArkAgent.class, "solo");
              assertThat(status.path("taskQueue").asText()).isEqualTo("ark/" + NS + "/solo");
              assertThat(status.path("selector").asText()).isEqualTo("arkonis.dev/agent=solo");
              assertThat(status.path("replicas").asInt()).isEqualTo(1);
              assertThat(status.path("readyReplicas").asInt()).isEqualTo(1);
              assertThat(status.path("observedGeneration").asLong())
                  .isEqualTo(k8s.get(ArkAgent.class, "solo").getMetadata().getGeneration());
            });
  }
}
