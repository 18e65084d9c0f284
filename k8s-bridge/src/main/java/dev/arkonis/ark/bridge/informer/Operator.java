package dev.arkonis.ark.bridge.informer;

import dev.arkonis.ark.bridge.reconcile.Reconciler;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The operator's informer bridge: owns the {@link KubernetesClient}, one shared informer per kind
 * (ArkTeam, ArkAgent, ArkRun, ArkSettings, the Deployments it manages and ConfigMaps; one
 * namespace, or all), and one {@link Controller} per registered {@link Reconciler}. Reconcilers
 * read the informer caches through the {@link Caches} methods.
 *
 * <pre>{@code
 * Operator operator = new Operator(client, namespaceOrNull);
 * operator.register(new ArkAgentReconciler(...), ArkAgentReconciler.watches());
 * operator.register(runReconciler);            // any Reconciler whose kind() is informed
 * operator.start();                            // informers synced, then the workers run
 * ...
 * operator.close();
 * }</pre>
 */
public final class Operator implements Caches, AutoCloseable {
  /** Label on everything the operator creates (and the filter of its Deployment informer). */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY = "ark";

  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);

  private final KubernetesClient client;
  private final String namespace;
  private final Controller.Settings settings;
  private final EventRecorder events;
  private final Map<Class<?>, SharedIndexInformer<?>> informers = new LinkedHashMap<>();
  private final Map<String, Class<? extends HasMetadata>> kinds = new LinkedHashMap<>();
  private final Map<String, Controller> controllers = new LinkedHashMap<>();
  private boolean started;

  /**
   * @param namespace the one namespace to watch, or null/blank for all namespaces
   */
  public Operator(KubernetesClient client, String namespace) {
    this(client, namespace, Controller.Settings.defaults());
  }

  public Operator(KubernetesClient client, String namespace, Controller.Settings settings) {
    this.client = client;
    this.namespace = namespace == null || namespace.isBlank() ? null : namespace;
    this.settings = settings;
    this.events = new EventRecorder(client, "ark-operator", Clock.systemUTC());
    inform(ArkTeam.class);
    inform(ArkAgent.class);
    inform(ArkRun.class);
    inform(ArkSettings.class);
    inform(ArkMemory.class);
    inform(Deployment.class, Map.of(MANAGED_BY_LABEL, MANAGED_BY));
    inform(ConfigMap.class);
  }

  public KubernetesClient client() {
    return client;
  }

  /** The watched namespace, or null when all are watched. */
  public String namespace() {
    return namespace;
  }

  public EventRecorder events() {
    return events;
  }

  /** Adds an informer for another kind (before {@link #start}). */
  public <T extends HasMetadata> Operator inform(Class<T> type) {
    return inform(type, Map.of());
  }

  /** Adds an informer for the objects of a kind carrying all of {@code labels}. */
  public synchronized <T extends HasMetadata> Operator inform(
      Class<T> type, Map<String, String> labels) {
    requireNotStarted();
    if (informers.containsKey(type)) {
      return this;
    }
    MixedOperation<T, ?, ?> resources = client.resources(type);
    FilterWatchListDeletable<T, ?, ?> scope =
        namespace == null ? resources.inAnyNamespace() : resources.inNamespace(namespace);
    if (!labels.isEmpty()) {
      scope = scope.withLabels(labels);
    }
    informers.put(type, scope.runnableInformer(0));
    kinds.put(HasMetadata.getKind(type), type);
    return this;
  }

  /** {@link #register(Reconciler, Collection)} with the watches as varargs. */
  public Controller register(Reconciler reconciler, Watch<?>... watches) {
    return register(reconciler, List.of(watches));
  }

  /**
   * Registers a reconciler for its {@link Reconciler#kind()} (which must be informed): every event
   * of that kind enqueues the object's key, and every event of a watched related kind enqueues the
   * keys its {@link Watch} maps it to. Before {@link #start} only.
   */
  public synchronized Controller register(
      Reconciler reconciler, Collection<? extends Watch<?>> watches) {
    requireNotStarted();
    Class<? extends HasMetadata> primary = kinds.get(reconciler.kind());
    if (primary == null) {
      throw new IllegalArgumentException(
          "no informer for kind " + reconciler.kind() + "; call inform(type) before register");
    }
    if (controllers.containsKey(reconciler.kind())) {
      throw new IllegalArgumentException(
          "a reconciler for " + reconciler.kind() + " is registered");
    }
    SharedIndexInformer<? extends HasMetadata> primaryInformer = informer(primary);
    Controller controller =
        new Controller(reconciler, () -> keys(primaryInformer.getIndexer()), settings);
    addPrimary(primaryInformer, controller);
    for (Watch<?> watch : watches) {
      addWatch(controller, watch);
    }
    controllers.put(reconciler.kind(), controller);
    return controller;
  }

  /** The controller of a kind, or null. */
  public synchronized Controller controller(String kind) {
    return controllers.get(kind);
  }

  /**
   * Starts the informers, waits until every cache is synced, then starts the controllers' workers.
   *
   * @throws IllegalStateException when an informer cannot list its kind (e.g. CRD not installed)
   */
  public void start() throws InterruptedException {
    Map<Class<?>, CompletableFuture<Void>> syncs = new LinkedHashMap<>();
    synchronized (this) {
      requireNotStarted();
      started = true;
      informers.forEach(
          (type, informer) -> syncs.put(type, informer.start().toCompletableFuture()));
    }
    for (Map.Entry<Class<?>, CompletableFuture<Void>> sync : syncs.entrySet()) {
      try {
        sync.getValue().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        close();
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new IllegalStateException(
            "cannot watch "
                + sync.getKey().getSimpleName()
                + (namespace == null ? " in all namespaces" : " in namespace " + namespace)
                + " (is its CRD installed, may the operator list and watch it?): "
                + cause.getMessage(),
            e);
      }
    }
    controllers.values().forEach(Controller::start);
  }

  /** True when every informer has synced its cache. */
  public boolean isSynced() {
    return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public void close() {
    controllers.values().forEach(Controller::close);
    informers.values().forEach(SharedIndexInformer::stop);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends HasMetadata> Indexer<T> indexer(Class<T> type) {
    SharedIndexInformer<?> informer = informers.get(type);
    if (informer == null) {
      throw new IllegalArgumentException("no informer for " + type.getSimpleName());
    }
    return (Indexer<T>) informer.getIndexer();
  }

  @Override
  public <T extends HasMetadata> Lister<T> lister(Class<T> type) {
    return new Lister<>(indexer(type));
  }

  private static <T extends HasMetadata> void addPrimary(
      SharedIndexInformer<T> informer, Controller controller) {
    informer.addEventHandler(controller.primaryHandler());
  }

  private <T extends HasMetadata> void addWatch(Controller controller, Watch<T> watch) {
    if (watch.index() != null) {
      addIndex(watch.index());
    }
    SharedIndexInformer<T> informer = informer(watch.type());
    informer.addEventHandler(controller.secondaryHandler(watch, this));
  }

  private <P extends HasMetadata> void addIndex(Watch.Index<P> index) {
    SharedIndexInformer<P> informer = informer(index.type());
    if (!informer.getIndexer().getIndexers().containsKey(index.name())) {
      informer.addIndexers(Map.of(index.name(), index.values()));
    }
  }

  @SuppressWarnings("unchecked")
  private <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> type) {
    SharedIndexInformer<?> informer = informers.get(type);
    if (informer == null) {
      throw new IllegalArgumentException(
          "no informer for " + type.getSimpleName() + "; call inform(type) before register");
    }
    return (SharedIndexInformer<T>) informer;
  }

  private static List<ObjectKey> keys(Indexer<?> indexer) {
    return indexer.listKeys().stream().map(ObjectKey::parse).toList();
  }

  private void requireNotStarted() {
    if (started) {
      throw new IllegalStateException("the operator is started; configure it before start()");
    }
  }
}
