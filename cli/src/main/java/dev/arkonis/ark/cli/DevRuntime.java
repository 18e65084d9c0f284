package dev.arkonis.ark.cli;

import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.OperatorRuntime;
import dev.arkonis.ark.bridge.webhook.EventStore;
import dev.arkonis.ark.bridge.webhook.WebhookServer;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code ark dev}: the operator's own code paths on a laptop — an in-process Kubernetes API
 * (fabric8's mock server in CRUD mode), an in-process Temporal service, the operator (bridge,
 * events, webhooks) and agent workers with the mock model when no key is set.
 */
final class DevRuntime implements AutoCloseable {
  /** The mock API server logs every request at INFO through java.util.logging. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final KubernetesMockServer apiServer;
  private final KubernetesClient client;
  private final WebhookServer webhooks;

  DevRuntime(Path dir, int webhookPort, String provider, Duration mockLatency) throws Exception {
    List<Manifest> objects = load(dir);
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    apiServer =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    apiServer.init(java.net.InetAddress.getLoopbackAddress(), 0);
    closeables.add(apiServer::destroy);
    client = apiServer.createClient();
    closeables.add(client);
    CrdCatalog.install(client);
    TemporalConnection temporal = TemporalConnection.embedded();
    closeables.add(0, temporal);
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(
            new ModelFactory(
                System.getenv(), provider, MockChatModel.Options.DEFAULT.withLatency(mockLatency)));
    ToolActivitiesImpl tools = new ToolActivitiesImpl(System.getenv());
    closeables.add(tools);
    for (String queue : agentQueues(objects)) {
      temporal.newWorker(queue).registerActivitiesImplementations(chat, tools);
    }
    OperatorRuntime operator =
        new OperatorRuntime(
            client,
            temporal.client(),
            temporal.factory(),
            new OperatorRuntime.Settings(
                null, "in-process", "default", "ark:dev", null, "ark-dev"));
    webhooks =
        new WebhookServer(
            EventStore.of(client, null),
            temporal.client(),
            webhookPort,
            WebhookServer.Limits.DEFAULT);
    closeables.add(0, webhooks);
    operator.start();
    closeables.add(0, operator);
    apply(objects);
  }

  KubernetesClient client() {
    return client;
  }

  int webhookPort() {
    return webhooks.port();
  }

  /** Re-applies the folder's manifests (after an edit). */
  void reapply(Path dir) throws IOException {
    apply(load(dir));
  }

  private static List<Manifest> load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new UserError(dir + " is not a folder; ark dev watches a folder of manifests");
    }
    List<Manifest> all = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    ManifestLoader loader = new ManifestLoader();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(DevRuntime::isYaml).sorted().toList()) {
        LoadResult loaded = loader.load(file);
        problems.addAll(loaded.problems());
        problems.addAll(new SpecValidator().validate(loaded.manifests()));
        all.addAll(loaded.others());
        all.addAll(loaded.manifests());
      }
    }
    if (!problems.isEmpty()) {
      throw new UserError(
          "invalid manifests:\n"
              + String.join("\n", problems.stream().map(Problem::format).toList()));
    }
    return all;
  }

  static boolean isYaml(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  /** Task queues of every agent the folder's teams and ArkAgents define. */
  private static Set<String> agentQueues(List<Manifest> objects) {
    Set<String> queues = new LinkedHashSet<>();
    for (Manifest m : objects) {
      String ns = namespace(m);
      if (m.kind().equals("ArkAgent")) {
        queues.add(RunPlan.taskQueue(ns, m.name()));
      }
      if (m.kind().equals("ArkTeam")) {
        m.tree()
            .path("spec")
            .path("roles")
            .forEach(
                role ->
                    queues.add(
                        RunPlan.taskQueue(
                            ns,
                            role.hasNonNull("arkAgent")
                                ? role.path("arkAgent").asText()
                                : m.name() + "-" + role.path("name").asText())));
      }
    }
    return queues;
  }

  private static String namespace(Manifest m) {
    return m.namespace().isEmpty() ? "default" : m.namespace();
  }

  private void apply(List<Manifest> objects) {
    for (Manifest m : objects) {
      HasMetadata object =
          client.getKubernetesSerialization().convertValue(m.tree(), HasMetadata.class);
      client.resource(object).inNamespace(namespace(m)).createOr(r -> r.update());
    }
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // shutting down
      }
    }
  }
}
