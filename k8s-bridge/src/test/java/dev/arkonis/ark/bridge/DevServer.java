package dev.arkonis.ark.bridge;

import static org.assertj.core.api.Assertions.fail;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;

/** The real Temporal dev server the integration tests use ({@code ARK_TEST_TEMPORAL_ADDRESS}). */
public final class DevServer {
  private DevServer() {}

  /** Its address; fails the test with what to do when it is not set. */
  public static String address() {
    String address = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (address == null || address.isBlank()) {
      fail(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test, or start"
              + " `temporal server start-dev --port 7233` and set ARK_TEST_TEMPORAL_ADDRESS=host:port");
    }
    return address;
  }

  /** Service stubs connected to it. */
  public static WorkflowServiceStubs stubs() {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build());
  }

  /** A client of its {@code default} namespace. */
  public static WorkflowClient client(WorkflowServiceStubs service) {
    return WorkflowClient.newInstance(
        service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }
}
