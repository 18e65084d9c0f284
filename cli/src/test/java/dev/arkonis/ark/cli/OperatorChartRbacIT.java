package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.OperatorRuntime;
import dev.arkonis.ark.bridge.a2a.ArkServiceReconciler;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator on a real API server (started by {@code scripts/cluster}, admin kubeconfig in {@code
 * ARK_TEST_KUBECONFIG}) with nothing but the Helm chart's RBAC: the chart is rendered, its
 * ServiceAccount, Roles and RoleBindings applied, and {@link OperatorRuntime} runs with a token of
 * that ServiceAccount (TokenRequest, as {@code kubectl create token}). The API server enforces
 * RBAC, {@code OwnerReferencesPermissionEnforcement} and Pod Security; the team's namespace and the
 * release namespace enforce {@code restricted}. An ArkTeam with inline roles gets its managed
 * ArkAgents (owner references with blockOwnerDeletion), their Deployments and Ready pods (kwok), a
 * run succeeds, status and finalizers are written, and nothing anywhere says Forbidden. The chart's
 * own operator Deployment gets its pods in the restricted release namespace too. An ArkService over
 * one of the agents gets its Service and EndpointSlice ({@link ChartServiceScenario}).
 *
 * <p>Agent workers and Temporal are in-process (the test server): this test is about the API
 * server.
 */
class OperatorChartRbacIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final String suffix = UUID.randomUUID().toString().substring(0, 6);
  private final String release = "ark" + suffix;
  private final String releaseNs = "ark-it-sys-" + suffix;
  private final String teamNs = "ark-it-team-" + suffix;

  private KubernetesClient admin;
  private KubernetesClient operatorClient;
  private TestWorkflowEnvironment temporal;
  private OperatorRuntime operator;

  @BeforeEach
  void connect() throws Exception {
    String kubeconfig = System.getenv("ARK_TEST_KUBECONFIG");
    if (kubeconfig == null || kubeconfig.isBlank()) {
      fail(
          "ARK_TEST_KUBECONFIG is not set: run the tests with scripts/test (or start a cluster with"
              + " 'scripts/cluster up' and export ARK_TEST_KUBECONFIG=<the path it prints>)");
    }
    admin =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig))))
            .build();
  }

  @AfterEach
  void cleanUp() {
    if (operator != null) {
      // runs carry the operator's finalizer: delete them while it runs, so the namespace can go
      admin.resources(ArkRun.class).inNamespace(teamNs).delete();
      await()
          .atMost(WAIT)
          .until(
              () -> admin.resources(ArkRun.class).inNamespace(teamNs).list().getItems().isEmpty());
      operator.close();
    }
    if (temporal != null) {
      temporal.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (admin != null) {
      for (String ns : List.of(teamNs, releaseNs)) {
        admin.namespaces().withName(ns).delete();
      }
      admin.close();
    }
  }

  @Test
  void theOperatorOnTheChartsServiceAccountManagesATeamInARestrictedNamespace() throws Exception {
    installCrds();
    namespace(releaseNs);
    namespace(teamNs);

    // The chart, namespaced mode (Role + RoleBinding in the watched namespace): the operator
    // watches only this test's namespace, so other tests on the same cluster are left alone.
    List<HasMetadata> chart =
        ChartFixture.parse(
            new ChartRenderer(ChartFixture.chartDir())
                .render(release, releaseNs, Map.of("watchNamespace", teamNs)));
    String serviceAccount = null;
    Deployment operatorDeployment = null;
    for (HasMetadata object : chart) {
      if (object instanceof ServiceAccount sa) {
        serviceAccount = sa.getMetadata().getName();
        admin.resource(sa).inNamespace(releaseNs).create();
      } else if (object instanceof Role || object instanceof RoleBinding) {
        admin.resource(object).create();
      } else if (object instanceof Deployment d) {
        operatorDeployment = d;
      }
    }
    assertThat(serviceAccount).as("the chart's ServiceAccount").isNotNull();
    assertThat(operatorDeployment).as("the chart's operator Deployment").isNotNull();

    operatorClient = clientWithTokenOf(serviceAccount);
    temporal =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    startAgentWorkers(List.of("crew-lead", "crew-writer"));
    operator =
        new OperatorRuntime(
                operatorClient,
                temporal.getWorkflowClient(),
                temporal.getWorkerFactory(),
                new OperatorRuntime.Settings(
                    teamNs,
                    "temporal.example:7233",
                    "default",
                    "ark:it",
                    releaseNs, // leader election: the chart's Lease Role
                    "ark-it-0"))
            .withServices(
                new ArkServiceReconciler.Settings(
                    "127.0.0.1", ChartServiceScenario.POD_IP, Duration.ofSeconds(20)));
    operator.start();

    ArkTeam team =
        admin
            .resource(
                admin
                    .getKubernetesSerialization()
                    .unmarshal(
                        """
                        apiVersion: arkonis.dev/v1alpha1
                        kind: ArkTeam
                        metadata: {name: crew}
                        spec:
                          inputs: [{name: topic, required: true}]
                          roles:
                            - {name: lead, model: mock, systemPrompt: "You plan."}
                            - {name: writer, model: mock, systemPrompt: "You write."}
                          pipeline:
                            - {name: plan, role: lead, inputs: {task: "Plan {{ .input.topic }}"}}
                            - name: write
                              role: writer
                              dependsOn: [plan]
                              inputs: {task: "{{ .steps.plan.output }}"}
                        """,
                        ArkTeam.class))
            .inNamespace(teamNs)
            .create();

    // managed agents, owned by the team with blockOwnerDeletion (needs arkteams/finalizers)
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String agent : List.of("crew-lead", "crew-writer")) {
                ArkAgent a =
                    admin.resources(ArkAgent.class).inNamespace(teamNs).withName(agent).get();
                assertThat(a)
                    .as("%s; the team's status: %s", agent, status(ArkTeam.class, "crew"))
                    .isNotNull();
                OwnerReference owner = a.getMetadata().getOwnerReferences().get(0);
                assertThat(owner.getUid()).isEqualTo(team.getMetadata().getUid());
                assertThat(owner.getBlockOwnerDeletion()).isTrue();
              }
            });
    // their Deployments (owned by the agents: arkagents/finalizers) with Ready pods that Pod
    // Security restricted admitted
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String agent : List.of("crew-lead", "crew-writer")) {
                Deployment d = admin.apps().deployments().inNamespace(teamNs).withName(agent).get();
                assertThat(d).as("Deployment " + agent).isNotNull();
                assertThat(d.getMetadata().getOwnerReferences().get(0).getKind())
                    .isEqualTo("ArkAgent");
                assertThat(d.getStatus().getReadyReplicas())
                    .as(
                        "%s ready; its Ready condition: %s",
                        agent, condition(status(ArkAgent.class, agent), "Ready"))
                    .isEqualTo(1);
              }
            });
    assertThat(admin.pods().inNamespace(teamNs).list().getItems())
        .hasSize(2)
        .allSatisfy(pod -> assertThat(ready(pod)).isTrue());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode status = status(ArkTeam.class, "crew");
              assertThat(status.path("phase").asText()).isEqualTo("Ready");
              assertThat(status.path("roles")).hasSize(2);
              for (String agent : List.of("crew-lead", "crew-writer")) {
                assertThat(
                        condition(status(ArkAgent.class, agent), "Ready").path("status").asText())
                    .isEqualTo("True");
              }
            });

    // a run: finalizer and label (patch), status written by the orchestration worker
    admin
        .resource(
            admin
                .getKubernetesSerialization()
                .unmarshal(
                    "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata: {name: crew-1}\n"
                        + "spec: {teamRef: {name: crew}, input: {topic: operators}}\n",
                    ArkRun.class))
        .inNamespace(teamNs)
        .create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(status(ArkRun.class, "crew-1").path("phase").asText())
                    .isEqualTo("Succeeded"));
    ArkRun run = admin.resources(ArkRun.class).inNamespace(teamNs).withName("crew-1").get();
    assertThat(run.getMetadata().getFinalizers()).contains("arkonis.dev/cancel-run");
    JsonNode succeeded = condition(status(ArkRun.class, "crew-1"), "Succeeded");
    assertThat(succeeded.path("observedGeneration").asLong())
        .isEqualTo(run.getMetadata().getGeneration());

    // an ArkService over the lead: its Service and EndpointSlice as the API server keeps them
    new ChartServiceScenario(admin, teamNs, WAIT).run("crew-lead");

    // nothing was refused: no Forbidden condition, no Forbidden/FailedCreate Event (ReplicaSets
    // included: Pod Security rejects pods there)
    for (Class<? extends HasMetadata> kind : List.of(ArkTeam.class, ArkAgent.class, ArkRun.class)) {
      for (HasMetadata object : admin.resources(kind).inNamespace(teamNs).list().getItems()) {
        JsonNode json = admin.getKubernetesSerialization().convertValue(object, JsonNode.class);
        for (JsonNode c : json.path("status").path("conditions")) {
          assertThat(c.path("reason").asText() + " " + c.path("message").asText())
              .as("%s %s condition %s", kind.getSimpleName(), object.getMetadata().getName(), c)
              .doesNotContainIgnoringCase("forbidden");
        }
      }
    }
    assertNoRefusalEvents(teamNs);

    // the chart's own operator Deployment passes restricted as well (kwok: pods, no containers)
    String operatorName = operatorDeployment.getMetadata().getName();
    admin.resource(operatorDeployment).inNamespace(releaseNs).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Deployment d =
                  admin.apps().deployments().inNamespace(releaseNs).withName(operatorName).get();
              assertThat(d.getStatus().getReadyReplicas())
                  .as("ready operator replicas")
                  .isEqualTo(d.getSpec().getReplicas());
            });
    assertNoRefusalEvents(releaseNs);
  }

  private void installCrds() {
    CrdCatalog.install(admin);
    for (String plural : CrdCatalog.PLURALS.values()) {
      String name = plural + ".arkonis.dev";
      await()
          .atMost(WAIT)
          .until(
              () -> {
                CustomResourceDefinition crd =
                    admin.apiextensions().v1().customResourceDefinitions().withName(name).get();
                return crd != null
                    && crd.getStatus() != null
                    && crd.getStatus().getConditions().stream()
                        .anyMatch(
                            c -> c.getType().equals("Established") && c.getStatus().equals("True"));
              });
    }
  }

  private void namespace(String name) {
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .endMetadata()
                .build())
        .create();
    // the namespace's default ServiceAccount (pods need it) is made by the controller-manager
    await()
        .atMost(WAIT)
        .until(() -> admin.serviceAccounts().inNamespace(name).withName("default").get() != null);
  }

  /** A client of the same API server that authenticates as the ServiceAccount only. */
  private KubernetesClient clientWithTokenOf(String serviceAccount) {
    TokenRequest request =
        admin
            .serviceAccounts()
            .inNamespace(releaseNs)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build());
    String token = request.getStatus().getToken();
    assertThat(token).isNotBlank();
    Config adminConfig = admin.getConfiguration();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(adminConfig.getMasterUrl())
            .withCaCertData(adminConfig.getCaCertData())
            .withCaCertFile(adminConfig.getCaCertFile())
            .withTrustCerts(adminConfig.isTrustCerts())
            .withDisableHostnameVerification(adminConfig.isDisableHostnameVerification())
            .withOauthToken(token)
            .build();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    // it is the ServiceAccount, not admin: it may not list namespaces
    assertThat(
            client
                .authorization()
                .v1()
                .selfSubjectAccessReview()
                .create(
                    new io.fabric8.kubernetes.api.model.authorization.v1
                            .SelfSubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withNewResourceAttributes()
                        .withVerb("list")
                        .withResource("namespaces")
                        .endResourceAttributes()
                        .endSpec()
                        .build())
                .getStatus()
                .getAllowed())
        .isFalse();
    return client;
  }

  private void startAgentWorkers(List<String> agents) {
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT));
    ToolActivitiesImpl tools = new ToolActivitiesImpl(Map.of());
    for (String agent : agents) {
      temporal
          .newWorker(RunPlan.taskQueue(teamNs, agent))
          .registerActivitiesImplementations(chat, tools);
    }
  }

  private void assertNoRefusalEvents(String namespace) {
    List<String> refusals = new ArrayList<>();
    for (Event event : admin.v1().events().inNamespace(namespace).list().getItems()) {
      String text = (event.getReason() + " " + event.getMessage()).toLowerCase(Locale.ROOT);
      if (text.contains("forbidden") || "FailedCreate".equals(event.getReason())) {
        refusals.add(
            event.getInvolvedObject().getKind()
                + "/"
                + event.getInvolvedObject().getName()
                + ": "
                + event.getReason()
                + " "
                + event.getMessage());
      }
    }
    assertThat(refusals).as("refusals in namespace %s", namespace).isEmpty();
  }

  private JsonNode status(Class<? extends HasMetadata> kind, String name) {
    HasMetadata object = admin.resources(kind).inNamespace(teamNs).withName(name).get();
    return object == null
        ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : admin.getKubernetesSerialization().convertValue(object, JsonNode.class).path("status");
  }

  private static JsonNode condition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
