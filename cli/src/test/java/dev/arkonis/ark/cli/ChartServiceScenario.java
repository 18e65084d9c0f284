package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.v1alpha1.ArkService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * {@link OperatorChartRbacIT}'s ArkService part, on the real API server with the chart's RBAC: the
 * Service gets a cluster IP and no selector (the API server allocates the IP; no Endpoints
 * controller competes), the EndpointSlice points at the operator's pod IP with the Service's ports
 * and passes the API server's validation, both are owned by the ArkService with blockOwnerDeletion
 * (arkservices/finalizers). The Service's target ports are the listeners: the agent card and a
 * blocking {@code message/send} answered by the agent go through them. A spec change that leaves
 * the ports alone writes neither object again, and deleting the ArkService lets the garbage
 * collector remove both.
 */
final class ChartServiceScenario {
  /** The operator's pod IP as the chart passes it ({@code ARK_POD_IP}). */
  static final String POD_IP = "10.244.7.7";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient admin;
  private final String namespace;
  private final Duration wait;

  ChartServiceScenario(KubernetesClient admin, String namespace, Duration wait) {
    this.admin = admin;
    this.namespace = namespace;
    this.wait = wait;
  }

  /** Serves {@code agent} (an ArkAgent with ready workers) as ArkService "helpers". */
  void run(String agent) throws Exception {
    ArkService created =
        admin
            .resource(
                admin
                    .getKubernetesSerialization()
                    .unmarshal(
                        "apiVersion: arkonis.dev/v1alpha1\n"
                            + "kind: ArkService\n"
                            + "metadata: {name: helpers}\n"
                            + "spec:\n"
                            + "  selector: {arkAgent: "
                            + agent
                            + "}\n"
                            + "  routing: {strategy: round-robin}\n"
                            + "  ports:\n"
                            + "    - {protocol: A2A, port: 8080}\n"
                            + "    - {protocol: HTTP, port: 8081}\n",
                        ArkService.class))
            .inNamespace(namespace)
            .create();
    String uid = created.getMetadata().getUid();

    await()
        .atMost(wait)
        .untilAsserted(
            () -> {
              JsonNode status = status();
              assertThat(Conditions.find(status, Conditions.READY).path("status").asText())
                  .as("ArkService helpers: %s", status)
                  .isEqualTo("True");
              assertThat(status.path("endpoints"))
                  .extracting(JsonNode::asText)
                  .containsExactly(
                      "http://helpers." + namespace + ".svc:8080/",
                      "http://helpers." + namespace + ".svc:8081/tasks");
              assertThat(slice()).as("EndpointSlice helpers-ark").isNotNull();
            });

    Service service = service();
    assertThat(service.getSpec().getClusterIP()).isNotBlank().isNotEqualTo("None");
    assertThat(service.getSpec().getSelector()).isNullOrEmpty();
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a2a-8080", 8080),
            org.assertj.core.groups.Tuple.tuple("http-8081", 8081));
    ownedByTheArkService(service, uid);

    EndpointSlice slice = slice();
    assertThat(slice.getMetadata().getLabels())
        .containsEntry("kubernetes.io/service-name", "helpers");
    assertThat(slice.getAddressType()).isEqualTo("IPv4");
    assertThat(slice.getEndpoints()).hasSize(1);
    assertThat(slice.getEndpoints().get(0).getAddresses()).containsExactly(POD_IP);
    // the slice's ports are the Service's target ports, under the Service's port names
    for (ServicePort port : service.getSpec().getPorts()) {
      assertThat(slice.getPorts())
          .anySatisfy(
              p -> {
                assertThat(p.getName()).isEqualTo(port.getName());
                assertThat(p.getPort()).isEqualTo(port.getTargetPort().getIntVal());
              });
    }
    ownedByTheArkService(slice, uid);

    // what the Service leads to answers: the card and a task the agent runs
    int a2a = targetPort(service, "a2a-8080");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> card =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a2a + "/.well-known/agent-card.json"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(card.statusCode()).isEqualTo(200);
    JsonNode cardJson = JSON.readTree(card.body());
    assertThat(cardJson.path("name").asText()).isEqualTo("helpers");
    assertThat(cardJson.path("url").asText())
        .isEqualTo("http://helpers." + namespace + ".svc:8080/");
    HttpResponse<String> sent =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a2a + "/"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":"
                            + "{\"message\":{\"role\":\"user\",\"messageId\":\"m1\",\"kind\":"
                            + "\"message\",\"parts\":[{\"kind\":\"text\",\"text\":\"hello\"}]}}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode task = JSON.readTree(sent.body()).path("result");
    assertThat(task.path("status").path("state").asText()).as(sent.body()).isEqualTo("completed");
    assertThat(task.path("artifacts").get(0).path("parts").get(0).path("text").asText())
        .isNotBlank();

    // a spec change that leaves the ports alone: the reconciler reads back what the API server
    // stored (defaults included) as up to date and writes neither object again
    String serviceVersion = service.getMetadata().getResourceVersion();
    String sliceVersion = slice.getMetadata().getResourceVersion();
    admin
        .resources(ArkService.class)
        .inNamespace(namespace)
        .withName("helpers")
        .edit(
            s -> {
              s.getSpec()
                  .getRouting()
                  .setStrategy(dev.arkonis.ark.crd.v1alpha1.arkservicespec.Routing.Strategy.RANDOM);
              return s;
            });
    await()
        .atMost(wait)
        .until(
            () ->
                Conditions.find(status(), Conditions.READY)
                    .path("message")
                    .asText()
                    .contains("(random)"));
    assertThat(service().getMetadata().getResourceVersion()).isEqualTo(serviceVersion);
    assertThat(slice().getMetadata().getResourceVersion()).isEqualTo(sliceVersion);

    // deleted: the garbage collector removes the Service and the EndpointSlice it owned
    admin.resources(ArkService.class).inNamespace(namespace).withName("helpers").delete();
    await().atMost(wait).until(() -> service() == null && slice() == null);
  }

  private Service service() {
    return admin.services().inNamespace(namespace).withName("helpers").get();
  }

  private EndpointSlice slice() {
    return admin
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(namespace)
        .withName("helpers-ark")
        .get();
  }

  private JsonNode status() {
    ArkService service =
        admin.resources(ArkService.class).inNamespace(namespace).withName("helpers").get();
    return admin.getKubernetesSerialization().convertValue(service, JsonNode.class).path("status");
  }

  private static int targetPort(Service service, String name) {
    return service.getSpec().getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getTargetPort()
        .getIntVal();
  }

  private static void ownedByTheArkService(HasMetadata object, String uid) {
    List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
    assertThat(owners).hasSize(1);
    assertThat(owners.get(0).getKind()).isEqualTo("ArkService");
    assertThat(owners.get(0).getUid()).isEqualTo(uid);
    assertThat(owners.get(0).getController()).isTrue();
    assertThat(owners.get(0).getBlockOwnerDeletion()).isTrue();
  }
}
