package dev.arkonis.ark.cli;

import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ClusterPromptSecrets;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.MockScript;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.memory.MemoryActivitiesImpl;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.OperatorRuntime;
import dev.arkonis.ark.bridge.a2a.ArkServiceReconciler;
import dev.arkonis.ark.bridge.admission.LocalAdmissionWebhook;
import dev.arkonis.ark.bridge.admission.WebhookRegistration;
import dev.arkonis.ark.bridge.webhook.WebhookCache;
import dev.arkonis.ark.bridge.webhook.WebhookServer;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import dev.arkonis.ark.crd.manifest.Problem;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code ark dev}: the operator's own code paths on this machine — the operator (bridge, events,
 * webhooks) and in-process agent workers for every ArkAgent (the mock model when no key is set), on
 * an in-process Temporal service or {@code --temporal-address}; against an in-process Kubernetes
 * API (fabric8's mock server in CRUD mode) or, with {@code --kubeconfig}, a real cluster's API in
 * one namespace.
 */
final class DevRuntime implements AutoCloseable {
  /** The mock API server logs every request at INFO through java.util.logging. */
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  /** Field manager of the folder's manifests applied to a real cluster (server-side apply). */
  static final String FIELD_MANAGER = "ark-dev";

  /**
   * What to run.
   *
   * @param dir folder of manifests to apply (and re-apply on save), or null
   * @param kubeconfig kubeconfig of a real cluster, or null for the in-process API server
   * @param namespace namespace to watch on the real cluster (null: the context's namespace); with
   *     the in-process API server, the namespace of manifests that name none (null: default)
   * @param temporalAddress a Temporal server, or null for an in-process one
   * @param agentImage image of the agent Deployments the operator creates
   * @param mockScript per-role mock replies ({@code --mock-script}), or null; its keys are checked
   *     against the folder's roles and ArkAgents when there is a folder
   */
  record Options(
      Path dir,
      Path kubeconfig,
      String namespace,
      String temporalAddress,
      String temporalNamespace,
      int webhookPort,
      String provider,
      Duration mockLatency,
      String agentImage,
      MockScript mockScript) {
    Options(
        Path dir,
        Path kubeconfig,
        String namespace,
        String temporalAddress,
        String temporalNamespace,
        int webhookPort,
        String provider,
        Duration mockLatency,
        String agentImage) {
      this(
          dir,
          kubeconfig,
          namespace,
          temporalAddress,
          temporalNamespace,
          webhookPort,
          provider,
          mockLatency,
          agentImage,
          null);
    }

    /** In-process API server and Temporal, the folder's manifests. */
    static Options local(Path dir, int webhookPort, String provider, Duration mockLatency) {
      return new Options(
          dir, null, null, null, "default", webhookPort, provider, mockLatency, "ark:dev");
    }
  }

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private KubernetesClient client;
  private TemporalConnection temporal;
  private WebhookServer webhooks;
  private WebhookCache webhookCache;
  private final WorkerLog workerLog = new WorkerLog(java.time.Clock.systemUTC());
  private final boolean realCluster;

  /** The namespace the operator watches, or null for all (in-process API server). */
  private String watchNamespace;

  /** Namespace of manifests that name none. */
  private String defaultNamespace;

  DevRuntime(Path dir, int webhookPort, String provider, Duration mockLatency) throws Exception {
    this(Options.local(dir, webhookPort, provider, mockLatency), line -> {});
  }

  /**
   * Starts everything; when something cannot start (a {@link UserError}: bad folder, kubeconfig,
   * cluster, RBAC, Temporal) whatever was started is stopped again.
   *
   * @param say receives progress lines (CRDs installed, agent workers started)
   */
  DevRuntime(Options options, Consumer<String> say) throws Exception {
    realCluster = options.kubeconfig() != null;
    try {
      start(options, say);
    } catch (KubernetesClientException e) {
      close();
      throw new UserError("the Kubernetes API refused a request: " + serverMessage(e));
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private void start(Options options, Consumer<String> say) throws Exception {
    List<Manifest> objects = options.dir() == null ? List.of() : load(options.dir());
    if (options.dir() != null) {
      MockScripts.checkKeys(options.mockScript(), objects, "the manifests of " + options.dir());
    }
    if (realCluster) {
      connect(options, say);
      requireWatchedNamespace(objects);
    } else {
      startMockApiServer(options);
    }
    temporal =
        options.temporalAddress() == null
            ? TemporalConnection.embedded()
            : TemporalConnection.connect(options.temporalAddress(), options.temporalNamespace());
    closeables.add(0, temporal);
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(
                new ModelFactory(
                    System.getenv(),
                    options.provider(),
                    MockChatModel.Options.DEFAULT.withLatency(options.mockLatency()),
                    options.mockScript()),
                LocalBudgetReports.dailyBudgets(temporal.client()))
            .withPromptSecrets(new ClusterPromptSecrets(client));
    ToolActivitiesImpl tools = new ToolActivitiesImpl(System.getenv());
    closeables.add(0, tools);
    ClusterPromptSecrets clusterSecrets = new ClusterPromptSecrets(client);
    MemoryActivitiesImpl memory =
        new MemoryActivitiesImpl(
            clusterSecrets::value, MemoryActivitiesImpl.defaultDir(System.getenv()));
    AgentWorkers agents =
        new AgentWorkers(
            client,
            watchNamespace,
            temporal.client(),
            List.of(chat, tools, memory),
            say,
            workerLog);
    closeables.add(0, agents);
    agents.start();
    webhookCache = WebhookCache.start(client, watchNamespace);
    closeables.add(0, webhookCache);
    webhooks =
        new WebhookServer(
            webhookCache, temporal.client(), options.webhookPort(), WebhookServer.Limits.DEFAULT);
    closeables.add(0, webhooks);
    OperatorRuntime operator =
        new OperatorRuntime(
                client,
                temporal.client(),
                temporal.factory(),
                new OperatorRuntime.Settings(
                    watchNamespace,
                    options.temporalAddress() == null ? "in-process" : options.temporalAddress(),
                    options.temporalNamespace(),
                    options.agentImage(),
                    null,
                    "ark-dev",
                    "http://localhost:" + webhooks.port()))
            .withServices(ArkServiceReconciler.Settings.local());
    if (realCluster) {
      startAdmission(say);
    }
    closeables.add(0, operator);
    try {
      operator.start();
    } catch (IllegalStateException e) {
      throw new UserError(e.getMessage());
    }
    apply(objects);
  }

  /**
   * The validating admission webhook, served on 127.0.0.1 and registered by URL for the watched
   * namespace only, so that {@code kubectl apply} there rejects what {@code ark validate} rejects
   * while ark dev runs. {@code failurePolicy: Ignore}: when ark dev is not running, a configuration
   * left behind by a killed process admits objects instead of blocking the namespace (the CRDs' CEL
   * rules still apply). Removed again on close. Without the RBAC to register it, ark dev says so
   * and runs on.
   */
  private void startAdmission(Consumer<String> say) {
    String configuration = "ark-dev-" + watchNamespace;
    try {
      LocalAdmissionWebhook admission =
          LocalAdmissionWebhook.start(
              client,
              configuration,
              0,
              new WebhookRegistration.Options("Ignore", 5, List.of(), List.of(watchNamespace)));
      closeables.add(0, admission);
      say.accept(
          "ark dev: admission webhook "
              + LocalAdmissionWebhook.url(admission.port())
              + " registered as ValidatingWebhookConfiguration "
              + configuration
              + " (namespace "
              + watchNamespace
              + ")");
    } catch (KubernetesClientException e) {
      say.accept(
          "ark dev: admission webhook not registered ("
              + serverMessage(e)
              + "); kubectl apply is checked by the CRDs' rules only");
    }
  }

  /** A real cluster: reachable, the namespace exists, RBAC allows the operator, CRDs served. */
  private void connect(Options options, Consumer<String> say) {
    String version = ClusterAccess.checkReachable(options.kubeconfig());
    client = ClusterAccess.open(options.kubeconfig());
    closeables.add(client);
    watchNamespace = Kube.namespace(client, options.namespace());
    defaultNamespace = watchNamespace;
    requireNamespace(client, watchNamespace);
    ClusterAccess.checkPermissions(client, watchNamespace);
    say.accept(
        "Kubernetes "
            + version
            + " at "
            + client.getConfiguration().getMasterUrl()
            + ", namespace "
            + watchNamespace);
    CrdInstaller.ensure(client, say);
  }

  private void startMockApiServer(Options options) {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    KubernetesMockServer apiServer =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    apiServer.init(java.net.InetAddress.getLoopbackAddress(), 0);
    closeables.add(apiServer::destroy);
    client = apiServer.createClient();
    closeables.add(0, client);
    CrdCatalog.install(client);
    watchNamespace = null;
    defaultNamespace =
        options.namespace() == null || options.namespace().isBlank()
            ? "default"
            : options.namespace();
  }

  KubernetesClient client() {
    return client;
  }

  /** The Temporal client the operator and the workers use. */
  io.temporal.client.WorkflowClient temporalClient() {
    return temporal.client();
  }

  /** The own log of the in-process agent workers (what each served), for the dashboard. */
  WorkerLog workerLog() {
    return workerLog;
  }

  int webhookPort() {
    return webhooks.port();
  }

  /** True once the webhook server sees the event and its token (its caches caught up). */
  boolean webhookServes(String namespace, String event) {
    return webhookCache.notReady() == null
        && webhookCache.event(namespace, event) != null
        && webhookCache.token(namespace, event) != null;
  }

  /** The namespace the operator watches, or null for all (in-process API server). */
  String watchNamespace() {
    return watchNamespace;
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

  private String namespace(Manifest m) {
    return m.namespace().isEmpty() ? defaultNamespace : m.namespace();
  }

  private static void requireNamespace(KubernetesClient client, String namespace) {
    try {
      if (client.namespaces().withName(namespace).get() == null) {
        throw new UserError(
            "namespace "
                + namespace
                + " not found: create it with 'kubectl create namespace "
                + namespace
                + "' or choose another with -n");
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 403) {
        throw e;
      }
      // may not read namespaces: the permission check that follows names what is missing
    }
  }

  /** On a real cluster the operator watches one namespace: every manifest must be in it. */
  private void requireWatchedNamespace(List<Manifest> objects) {
    for (Manifest m : objects) {
      if (!m.namespace().isEmpty() && !m.namespace().equals(watchNamespace)) {
        throw new UserError(
            m.file()
                + ": "
                + m.object()
                + " is in namespace "
                + m.namespace()
                + " but ark dev watches namespace "
                + watchNamespace
                + ": remove metadata.namespace or run ark dev with -n "
                + m.namespace());
      }
    }
  }

  private void apply(List<Manifest> objects) {
    if (realCluster) {
      requireWatchedNamespace(objects);
      // a server-side dry run of every object first: when the API server refuses one, nothing of
      // the folder is applied
      for (Manifest m : objects) {
        apply(m, true);
      }
    }
    for (Manifest m : objects) {
      apply(m, false);
    }
  }

  private void apply(Manifest m, boolean dryRun) {
    try {
      if (realCluster) {
        // server-side apply: what the operator set (finalizers, labels, status) is kept
        GenericKubernetesResource object =
            client
                .getKubernetesSerialization()
                .convertValue(m.tree(), GenericKubernetesResource.class);
        client
            .resource(object)
            .inNamespace(namespace(m))
            .dryRun(dryRun)
            .fieldManager(FIELD_MANAGER)
            .forceConflicts()
            .serverSideApply();
      } else {
        HasMetadata object =
            client.getKubernetesSerialization().convertValue(m.tree(), HasMetadata.class);
        client.resource(object).inNamespace(namespace(m)).createOr(r -> r.update());
      }
    } catch (KubernetesClientException e) {
      throw new UserError(
          (m.file().isEmpty() ? "" : m.file() + ": ")
              + m.object()
              + " was not applied: "
              + serverMessage(e));
    }
  }

  /** The API server's own message (its Status), else the client's. */
  static String serverMessage(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return ClusterAccess.rootMessage(e);
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
    closeables.clear();
  }
}
