package dev.arkonis.ark.cli;

import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.crd.v1alpha1.ArkService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code ark dev} on the real Temporal dev server with two mock ArkAgents labelled {@code team:
 * helpers} and the ArkService {@code helpers} selecting them (round-robin, one A2A and one HTTP
 * port); the mock model answers after {@code latency}, so a task can be canceled while it runs.
 */
final class A2aFixture implements AutoCloseable {
  static final String MANIFEST =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkAgent
      metadata:
        name: helper-a
        labels: {team: helpers}
      spec:
        model: mock
        provider: mock
        systemPrompt: You summarise things for other agents.
      ---
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkAgent
      metadata:
        name: helper-b
        labels: {team: helpers}
      spec:
        model: mock
        provider: mock
        systemPrompt: You summarise things for other agents.
      ---
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkService
      metadata:
        name: helpers
      spec:
        selector:
          matchLabels: {team: helpers}
        routing:
          strategy: round-robin
        ports:
          - protocol: A2A
            port: 8080
          - protocol: HTTP
            port: 8081
      """;

  final String namespace = "a2a-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  final DevRuntime dev;

  A2aFixture(Path dir, Duration latency) throws Exception {
    Files.writeString(dir.resolve("helpers.yaml"), MANIFEST);
    String temporal = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (temporal == null || temporal.isBlank()) {
      throw new IllegalStateException(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test");
    }
    dev =
        new DevRuntime(
            new DevRuntime.Options(
                dir, null, namespace, temporal, "default", 0, "mock", latency, "ark:dev"),
            line -> {});
  }

  /** The service's endpoints once it is Ready: the A2A URL, then the HTTP task URL. */
  List<String> endpoints() {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              ArkService service =
                  dev.client()
                      .resources(ArkService.class)
                      .inNamespace(namespace)
                      .withName("helpers")
                      .get();
              return service == null || service.getStatus() == null
                  ? null
                  : service.getStatus().getEndpoints();
            },
            urls -> urls != null && urls.size() == 2);
  }

  @Override
  public void close() throws Exception {
    dev.close();
  }
}
