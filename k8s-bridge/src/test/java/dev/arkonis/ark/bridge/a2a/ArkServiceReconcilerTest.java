package dev.arkonis.ark.bridge.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.bridge.informer.Controller;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ArkService on the CRUD mock API server: the Kubernetes Service and EndpointSlice it owns, its
 * status, the agent card its listener serves, and the listener closing with the object.
 */
@EnableKubernetesMockClient(crud = true)
class ArkServiceReconcilerTest {
  static final String NS = "svc-test";
  static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");
  static final ObjectMapper JSON = new ObjectMapper();

  KubernetesClient client;
  TestWorkflowEnvironment temporal;
  Operator operator;
  ArkServiceReconciler services;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    MOCK_LOG.setLevel(Level.WARNING);
    CrdCatalog.install(client);
    temporal = TestWorkflowEnvironment.newInstance();
    operator =
        new Operator(
            client,
            null,
            new Controller.Settings(
                2, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ZERO));
    ArkServiceReconciler.inform(operator);
    services =
        new ArkServiceReconciler(
            client,
            operator,
            temporal.getWorkflowClient(),
            operator.events(),
            Clock.systemUTC(),
            new ArkServiceReconciler.Settings("127.0.0.1", "10.1.2.3", Duration.ofSeconds(5)));
    operator.register(services, ArkServiceReconciler.watches());
    operator.start();
  }

  @AfterEach
  void stop() {
    operator.close();
    services.close();
    temporal.close();
  }

  <T extends HasMetadata> T create(Class<T> type, String yaml) {
    T object = client.getKubernetesSerialization().unmarshal(yaml, type);
    return client.resources(type).inNamespace(NS).resource(object).create();
  }

  JsonNode status(String name) {
    ArkService service = client.resources(ArkService.class).inNamespace(NS).withName(name).get();
    return client.getKubernetesSerialization().convertValue(service, JsonNode.class).path("status");
  }

  void agent(String name, String labels, String extra, int readyReplicas) {
    ArkAgent agent =
        create(
            ArkAgent.class,
            "apiVersion: arkonis.dev/v1alpha1\nkind: ArkAgent\nmetadata:\n  name: "
                + name
                + "\n  labels: "
                + labels
                + "\nspec:\n  model: mock\n  provider: mock\n"
                + extra);
    JsonNode tree = client.getKubernetesSerialization().convertValue(agent, JsonNode.class);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree)
        .putObject("status")
        .put("readyReplicas", readyReplicas);
    client
        .resources(ArkAgent.class)
        .inNamespace(NS)
        .resource(client.getKubernetesSerialization().convertValue(tree, ArkAgent.class))
        .updateStatus();
  }

  static final String SERVICE =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkService
      metadata:
        name: research
      spec:
        selector:
          matchLabels: {pool: research}
        routing: {strategy: least-busy}
        ports:
          - {protocol: A2A, port: 8080}
      """;

  @Test
  void createsAnOwnedServiceAndEndpointSliceAndReportsItsEndpoint() throws Exception {
    agent("alpha", "{pool: research}", "  systemPrompt: You find papers.\n", 2);
    agent(
        "beta",
        "{pool: research}",
        "  capabilities:\n    - {id: summarise, description: Summarises a paper, tags: [papers]}\n",
        1);
    agent("other", "{pool: sales}", "", 4);
    ArkService owner = create(ArkService.class, SERVICE);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "True"
                    .equals(Conditions.find(status("research"), "Ready").path("status").asText()));
    JsonNode status = status("research");
    assertThat(status.path("readyReplicas").asInt()).isEqualTo(3);
    assertThat(status.path("endpoints").get(0).asText())
        .isEqualTo("http://research.svc-test.svc:8080/");
    assertThat(status.path("observedGeneration").asLong()).isEqualTo(1);
    assertThat(Conditions.find(status, "Ready").path("message").asText())
        .contains("alpha, beta", "least-busy");

    Service service = client.services().inNamespace(NS).withName("research").get();
    assertThat(service.getMetadata().getOwnerReferences().get(0).getUid())
        .isEqualTo(owner.getMetadata().getUid());
    assertThat(service.getSpec().getSelector()).isNullOrEmpty();
    assertThat(service.getSpec().getPorts()).hasSize(1);
    int target = service.getSpec().getPorts().get(0).getTargetPort().getIntVal();
    assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);

    EndpointSlice slice =
        client.discovery().v1().endpointSlices().inNamespace(NS).withName("research-ark").get();
    assertThat(slice.getMetadata().getLabels())
        .containsEntry(ArkServiceReconciler.SERVICE_NAME_LABEL, "research");
    assertThat(slice.getEndpoints().get(0).getAddresses()).containsExactly("10.1.2.3");
    assertThat(slice.getPorts().get(0).getPort()).isEqualTo(target);

    HttpResponse<String> card =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + target + "/.well-known/agent-card.json"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(card.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(card.body());
    assertThat(json.path("name").asText()).isEqualTo("research");
    assertThat(json.path("protocolVersion").asText()).isEqualTo("0.3.0");
    assertThat(json.path("url").asText()).isEqualTo("http://research.svc-test.svc:8080/");
    assertThat(json.path("capabilities").path("streaming").asBoolean()).isTrue();
    assertThat(json.path("skills").findValuesAsText("id")).containsExactly("alpha", "summarise");
    assertThat(json.path("skills").get(0).path("description").asText())
        .isEqualTo("You find papers.");
    assertThat(json.path("skills").get(1).path("tags").get(0).asText()).isEqualTo("papers");

    // a second port, plain HTTP: the Service and the EndpointSlice follow
    client
        .resources(ArkService.class)
        .inNamespace(NS)
        .withName("research")
        .edit(
            s -> {
              var port = new dev.arkonis.ark.crd.v1alpha1.arkservicespec.Ports();
              port.setProtocol(dev.arkonis.ark.crd.v1alpha1.arkservicespec.Ports.Protocol.HTTP);
              port.setPort(8081);
              s.getSpec().getPorts().add(port);
              return s;
            });
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client
                            .services()
                            .inNamespace(NS)
                            .withName("research")
                            .get()
                            .getSpec()
                            .getPorts()
                            .size()
                        == 2
                    && client
                            .discovery()
                            .v1()
                            .endpointSlices()
                            .inNamespace(NS)
                            .withName("research-ark")
                            .get()
                            .getPorts()
                            .size()
                        == 2);
    int httpPort =
        client
            .services()
            .inNamespace(NS)
            .withName("research")
            .get()
            .getSpec()
            .getPorts()
            .get(1)
            .getTargetPort()
            .getIntVal();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "http://research.svc-test.svc:8081/tasks"
                    .equals(status("research").path("endpoints").path(1).asText()));
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/tasks"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"nope\": 1}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("field", "message", "is missing");

    client.resources(ArkService.class).inNamespace(NS).withName("research").delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              try {
                http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
                throw new AssertionError("the listener still answers");
              } catch (ConnectException closed) {
                // the listener went with the ArkService
              }
            });
  }

  @Test
  void withoutAgentsItIsNotReadyAndRefusesTasksWithAJsonRpcError() throws Exception {
    create(ArkService.class, SERVICE.replace("matchLabels: {pool: research}", "arkAgent: missing"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "NoAgents"
                    .equals(Conditions.find(status("research"), "Ready").path("reason").asText()));
    JsonNode ready = Conditions.find(status("research"), "Ready");
    assertThat(ready.path("status").asText()).isEqualTo("False");
    assertThat(ready.path("message").asText())
        .contains("spec.selector.arkAgent \"missing\"", "create it");
    int target =
        client
            .services()
            .inNamespace(NS)
            .withName("research")
            .get()
            .getSpec()
            .getPorts()
            .get(0)
            .getTargetPort()
            .getIntVal();
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + "/"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"hi\"}]}}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode error = JSON.readTree(answer.body()).path("error");
    assertThat(error.path("message").asText()).contains("selects no ArkAgent");
    assertThat(answer.body()).doesNotContain("Exception");

    // the agent appearing later makes it Ready
    agent("missing", "{}", "", 1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "True"
                    .equals(Conditions.find(status("research"), "Ready").path("status").asText()));
  }
}
