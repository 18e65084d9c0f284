package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.NS;
import static dev.arkonis.ark.bridge.RbacFixture.WAIT;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkService;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

/**
 * {@link RbacUsageTest}'s ArkService scenario: an ArkService over one ArkAgent gets its Service and
 * EndpointSlice (the operator knows its pod IP) and its status; a second port updates both.
 */
final class RbacServiceScenarios {
  static final String SERVICE =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkService
      metadata: {name: helpers}
      spec:
        selector: {arkAgent: helper}
        ports:
          - {protocol: A2A, port: 8080}
      """;

  private final RbacFixture cluster;

  RbacServiceScenarios(RbacFixture cluster) {
    this.cluster = cluster;
  }

  void services() {
    cluster.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: helper}
        spec: {model: gpt-4o, replicas: 0}
        """);
    cluster.apply(ArkService.class, SERVICE);
    await().atMost(WAIT).until(() -> ready() && slicePorts() == 1);
    cluster
        .client()
        .resources(ArkService.class)
        .inNamespace(NS)
        .withName("helpers")
        .edit(
            s -> {
              var port = new dev.arkonis.ark.crd.v1alpha1.arkservicespec.Ports();
              port.setProtocol(dev.arkonis.ark.crd.v1alpha1.arkservicespec.Ports.Protocol.HTTP);
              port.setPort(8081);
              s.getSpec().getPorts().add(port);
              return s;
            });
    await().atMost(WAIT).until(() -> servicePorts() == 2 && slicePorts() == 2);
  }

  private boolean ready() {
    ArkService service =
        cluster.client().resources(ArkService.class).inNamespace(NS).withName("helpers").get();
    return service != null
        && "True"
            .equals(
                Conditions.find(
                        cluster
                            .client()
                            .getKubernetesSerialization()
                            .convertValue(service, com.fasterxml.jackson.databind.JsonNode.class)
                            .path("status"),
                        Conditions.READY)
                    .path("status")
                    .asText());
  }

  private int servicePorts() {
    Service service = cluster.client().services().inNamespace(NS).withName("helpers").get();
    return service == null ? 0 : service.getSpec().getPorts().size();
  }

  private int slicePorts() {
    EndpointSlice slice =
        cluster
            .client()
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(NS)
            .withName("helpers-ark")
            .get();
    return slice == null ? 0 : slice.getPorts().size();
  }
}
