package dev.arkonis.ark.bridge.reconcile;

import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.NS;
import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ArkAgent → worker Deployment and generated ConfigMap, via the operator. */
@EnableKubernetesMockClient(crud = true)
class ArkAgentReconcilerTest {
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
  void promptAndSettingsChangesRollThePods() {
    createConfigMap("prompts", Map.of("writer", "Write well."));
    k8s.apply(
        ArkSettings.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkSettings
        metadata: {name: house-style}
        spec: {temperature: "0.2", promptFragments: {persona: You are terse.}}
        """);
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: duo}
        spec:
          entry: lead
          roles:
            - name: lead
              model: gpt-4o
              systemPrompt: Lead the work.
              canDelegate: [writer]
            - name: writer
              model: gpt-4o
              configRef: {name: house-style}
              systemPromptRef:
                configMapKeyRef: {name: prompts, key: writer}
        """);
    await().until(() -> k8s.deployments().size() == 2);
    Map<String, String> writerConfig = k8s.get(ConfigMap.class, "duo-writer-config").getData();
    assertThat(writerConfig).containsEntry("systemPrompt", "Write well.");
    assertThat(writerConfig.get("settings.json")).contains("You are terse.");
    String lead = k8s.configHash("duo-lead");
    String writer = k8s.configHash("duo-writer");

    editTeam(t -> t.getSpec().getRoles().get(0).setSystemPrompt("Lead the work, briefly."));
    await().until(() -> !k8s.configHash("duo-lead").equals(lead));
    assertThat(k8s.get(ConfigMap.class, "duo-lead-config").getData())
        .containsEntry("systemPrompt", "Lead the work, briefly.");
    assertThat(k8s.configHash("duo-writer")).isEqualTo(writer);

    client
        .configMaps()
        .inNamespace(NS)
        .withName("prompts")
        .edit(c -> new ConfigMapBuilder(c).addToData("writer", "Write even better.").build());
    await().until(() -> !k8s.configHash("duo-writer").equals(writer));
    assertThat(k8s.get(ConfigMap.class, "duo-writer-config").getData())
        .containsEntry("systemPrompt", "Write even better.");

    String beforeSettings = k8s.configHash("duo-writer");
    client
        .resources(ArkSettings.class)
        .inNamespace(NS)
        .withName("house-style")
        .edit(
            s -> {
              s.getSpec().setTemperature("0.7");
              return s;
            });
    await().until(() -> !k8s.configHash("duo-writer").equals(beforeSettings));
  }

  @Test
  void replicasFollowTheAgentAndZeroIsPaused() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: solo}
        spec:
          model: llama3.2
          image: example.com/custom-agent:1
          nodeSelector: {pool: gpu}
          tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
          env: [{name: OPENAI_BASE_URL, value: "http://ollama:11434/v1"}]
        """);
    await().until(() -> k8s.replicas("solo") == 1);
    Deployment deployment = k8s.get(Deployment.class, "solo");
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("pool", "gpu");
    assertThat(pod.getTolerations().get(0).getKey()).isEqualTo("gpu");
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo("example.com/custom-agent:1");
    assertThat(pod.getContainers().get(0).getEnv())
        .extracting(EnvVar::getName)
        .contains("OPENAI_BASE_URL");

    scale("solo", 4);
    await().until(() -> k8s.replicas("solo") == 4);
    scale("solo", 0);
    await().until(() -> k8s.replicas("solo") == 0);
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkAgent.class, "solo"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("True");
              assertThat(ready.path("reason").asText()).isEqualTo("Paused");
            });
  }

  @Test
  void aSecretPromptStaysInTheSecret() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: vault}
        spec:
          model: gpt-4o
          systemPromptRef:
            secretKeyRef: {name: prompts, key: vault}
          mcpServers:
            - name: kb
              url: https://kb.example.com/mcp
              headersFrom: {secretRef: {name: kb-headers}}
        """);
    await().until(() -> k8s.exists(Deployment.class, "vault"));
    assertThat(k8s.get(ConfigMap.class, "vault-config").getData())
        .doesNotContainKey("systemPrompt");
    Container container =
        k8s.get(Deployment.class, "vault").getSpec().getTemplate().getSpec().getContainers().get(0);
    EnvVar prompt =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("ARK_SYSTEM_PROMPT"))
            .findFirst()
            .orElseThrow();
    assertThat(prompt.getValue()).isNull();
    assertThat(prompt.getValueFrom().getSecretKeyRef().getName()).isEqualTo("prompts");
    assertThat(prompt.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("vault");
    assertThat(container.getEnv())
        .as("which key the pod holds, checked by the chat activity against the run's reference")
        .filteredOn(e -> e.getName().equals("ARK_SYSTEM_PROMPT_REF"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).endsWith("/prompts/vault"));
    assertThat(container.getEnvFrom())
        .anySatisfy(e -> assertThat(e.getSecretRef().getName()).isEqualTo("kb-headers"));
  }

  @Test
  void aMissingPromptConfigMapIsReportedThenPickedUp() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: waiting}
        spec:
          model: gpt-4o
          systemPromptRef:
            configMapKeyRef: {name: later, key: prompt}
        """);
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkAgent.class, "waiting"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("False");
              assertThat(ready.path("reason").asText()).isEqualTo("ReferenceNotFound");
              assertThat(ready.path("message").asText())
                  .contains("spec.systemPromptRef.configMapKeyRef")
                  .contains("ConfigMap later (key prompt) not found in namespace " + NS)
                  .contains("create it");
            });
    assertThat(k8s.exists(Deployment.class, "waiting")).isFalse();
    k8s.awaitWarning("ReferenceNotFound", null, null, null);

    createConfigMap("later", Map.of("prompt", "Now you can start."));
    await().until(() -> k8s.exists(Deployment.class, "waiting"));
    assertThat(k8s.get(ConfigMap.class, "waiting-config").getData())
        .containsEntry("systemPrompt", "Now you can start.");
  }

  @Test
  void aMissingPromptSecretIsReportedAndTheAgentRecoversWhenItsPodsStart() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: sealed}
        spec:
          model: gpt-4o
          systemPromptRef:
            secretKeyRef: {name: sealed-prompt, key: prompt}
        """);
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkAgent.class, "sealed"), "Ready");
              assertThat(ready.path("reason").asText()).isEqualTo("ReferenceNotFound");
              assertThat(ready.path("message").asText())
                  .contains("Secret sealed-prompt not found in namespace " + NS);
            });
    // the Deployment exists, so its pods start once the Secret does
    assertThat(k8s.exists(Deployment.class, "sealed")).isTrue();

    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("sealed-prompt")
                .endMetadata()
                .addToStringData("prompt", "Keep it secret.")
                .build())
        .create();
    k8s.setReady("sealed", 1); // the kubelet started the pod: the Deployment's status wakes us
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkAgent.class, "sealed"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("True");
              assertThat(ready.path("reason").asText()).isEqualTo("ReplicasReady");
            });
  }

  @Test
  void agentPodsMeetPodSecurityRestricted() throws java.io.IOException {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: locked}
        spec: {model: gpt-4o}
        """);
    await().until(() -> k8s.exists(Deployment.class, "locked"));
    PodSpec pod = k8s.get(Deployment.class, "locked").getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    // the user the image is built with (Jib's <container><user> in cli/pom.xml)
    java.util.regex.Matcher jibUser =
        java.util.regex.Pattern.compile("<user>(\\d+):(\\d+)</user>")
            .matcher(java.nio.file.Files.readString(java.nio.file.Path.of("../cli/pom.xml")));
    assertThat(jibUser.find()).as("Jib <user> uid:gid in cli/pom.xml").isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(Long.valueOf(jibUser.group(1)));
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(Long.valueOf(jibUser.group(2)));
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    for (Container container : pod.getContainers()) {
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }
  }

  @Test
  void aDeploymentReplicaFailureIsTheAgentsCondition() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: refused}
        spec: {model: gpt-4o}
        """);
    await().until(() -> k8s.exists(Deployment.class, "refused"));
    // what the Deployment controller reports when the ReplicaSet cannot create pods
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("refused")
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder()
                      .withReplicas(0)
                      .addNewCondition()
                      .withType("ReplicaFailure")
                      .withStatus("True")
                      .withReason("FailedCreate")
                      .withMessage("pods \"refused-1\" is forbidden: exceeded quota: compute")
                      .endCondition()
                      .build());
              return d;
            });
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkAgent.class, "refused"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("False");
              assertThat(ready.path("reason").asText()).isEqualTo("ReplicaFailure");
              assertThat(ready.path("message").asText())
                  .contains("Deployment refused cannot create pods (FailedCreate)")
                  .contains("exceeded quota");
            });
    k8s.awaitWarning("ReplicaFailure", null, null, null);
  }

  @Test
  void aForbiddenDeploymentIsTheAgentsConditionAndIsRetried() {
    server
        .expect()
        .post()
        .withPath("/apis/apps/v1/namespaces/" + NS + "/deployments")
        .andReturn(
            403,
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("Forbidden")
                .withCode(403)
                .withMessage(
                    "deployments.apps \"denied\" is forbidden: cannot set blockOwnerDeletion if"
                        + " an ownerReference refers to a resource you can't set finalizers on")
                .build())
        .times(8); // ~4.5 s of backoff: long enough to see on a loaded machine
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: denied}
        spec: {model: gpt-4o}
        """);
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkAgent.class, "denied"), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("False");
              assertThat(ready.path("reason").asText()).isEqualTo("Forbidden");
              assertThat(ready.path("message").asText())
                  .contains("cannot create or update Deployment denied of ArkAgent " + NS)
                  .contains("blockOwnerDeletion")
                  .contains("deploy/rbac/contract.txt");
            });
    k8s.awaitWarning("Forbidden", null, null, null);
    // the controller retries with backoff; once allowed, the Deployment is made
    await().until(() -> k8s.exists(Deployment.class, "denied"));
    await()
        .untilAsserted(
            () ->
                assertThat(
                        condition(k8s.status(ArkAgent.class, "denied"), "Ready")
                            .path("reason")
                            .asText())
                    .isEqualTo("ReplicasNotReady"));
  }

  static Stream<Arguments> agentsArkValidateRejects() {
    return Stream.of(
        Arguments.of(
            "bad-url",
            "{model: gpt-4o, mcpServers: [{name: search, url: 'ftp://search.internal/mcp'}]}",
            "spec.mcpServers[0].url: \"ftp://search.internal/mcp\" is not an http(s) URL"),
        Arguments.of(
            "bad-tool",
            "{model: gpt-4o, tools: [{name: lookup, url: 'http://tools/lookup', inputSchema:"
                + " '{not json'}]}",
            "spec.tools[0].inputSchema: is not valid JSON"));
  }

  /** The operator applies the rules of ark validate: an invalid agent gets no workload. */
  @ParameterizedTest
  @MethodSource("agentsArkValidateRejects")
  void invalidAgentGetsInvalidSpecAndNoWorkload(String name, String spec, String message) {
    k8s.apply(
        ArkAgent.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkAgent\nmetadata: {name: "
            + name
            + "}\nspec: "
            + spec
            + "\n");
    await()
        .untilAsserted(
            () -> {
              JsonNode ready = condition(k8s.status(ArkAgent.class, name), "Ready");
              assertThat(ready.path("status").asText()).isEqualTo("False");
              assertThat(ready.path("reason").asText()).isEqualTo("InvalidSpec");
              assertThat(ready.path("message").asText()).contains(message);
            });
    k8s.awaitWarning("InvalidSpec", null, name, message);
    assertThat(k8s.deployments()).isEmpty();
    assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
  }

  private void createConfigMap(String name, Map<String, String> data) {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withData(data)
                .build())
        .create();
  }

  private void scale(String agent, int replicas) {
    await() // the operator writes the agent's status meanwhile: a stale edit gets 409, edit again
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(
            () ->
                client
                        .resources(ArkAgent.class)
                        .inNamespace(NS)
                        .withName(agent)
                        .edit(
                            a -> {
                              a.getSpec().setReplicas(replicas);
                              return a;
                            })
                    != null);
  }

  private void editTeam(java.util.function.Consumer<ArkTeam> change) {
    client
        .resources(ArkTeam.class)
        .inNamespace(NS)
        .withName("duo")
        .edit(
            t -> {
              change.accept(t);
              return t;
            });
  }
}
