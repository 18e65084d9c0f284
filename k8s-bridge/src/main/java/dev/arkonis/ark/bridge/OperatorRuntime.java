package dev.arkonis.ark.bridge;

import dev.arkonis.ark.bridge.a2a.ArkServiceReconciler;
import dev.arkonis.ark.bridge.events.ArkEventReconciler;
import dev.arkonis.ark.bridge.events.EventActivitiesImpl;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.ObjectKey;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.informer.Updates;
import dev.arkonis.ark.bridge.informer.Watch;
import dev.arkonis.ark.bridge.memory.ArkMemoryReconciler;
import dev.arkonis.ark.bridge.notify.ArkNotifyReconciler;
import dev.arkonis.ark.bridge.notify.NotifyActivitiesImpl;
import dev.arkonis.ark.bridge.notify.NotifyDeliveryActivitiesImpl;
import dev.arkonis.ark.bridge.reconcile.ArkAgentReconciler;
import dev.arkonis.ark.bridge.reconcile.ArkRunReconciler;
import dev.arkonis.ark.bridge.reconcile.ArkTeamReconciler;
import dev.arkonis.ark.bridge.registry.ArkRegistryReconciler;
import dev.arkonis.ark.bridge.status.AgentHealthActivitiesImpl;
import dev.arkonis.ark.bridge.status.BudgetActivitiesImpl;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.Phases;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process: the orchestration worker (TeamRun and AgentTask workflows, run status
 * writes) on every replica, and the informer bridge on the leader only (a Lease elects it, so two
 * replicas are safe).
 */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  /**
   * @param watchNamespace namespace to watch, or null for all
   * @param temporalAddress Temporal frontend, passed to agent Deployments
   * @param temporalNamespace Temporal namespace
   * @param agentImage default image of agent Deployments
   * @param leaseNamespace namespace of the leader-election Lease, or null to lead at once
   * @param identity this replica's name in the Lease (the pod name)
   * @param webhookBaseUrl external base URL of the webhook server, for ArkEvent {@code
   *     status.webhookURL}
   */
  public record Settings(
      String watchNamespace,
      String temporalAddress,
      String temporalNamespace,
      String agentImage,
      String leaseNamespace,
      String identity,
      String webhookBaseUrl) {
    /** Environment variable with the webhook base URL (the Helm chart sets it). */
    public static final String WEBHOOK_BASE_URL_ENV = "ARK_WEBHOOK_BASE_URL";

    /** Default webhook base URL: the operator's webhook port on this host. */
    public static final String DEFAULT_WEBHOOK_BASE_URL = "http://localhost:8081";

    public Settings {
      if (webhookBaseUrl == null || webhookBaseUrl.isBlank()) {
        String env = System.getenv(WEBHOOK_BASE_URL_ENV);
        webhookBaseUrl = env == null || env.isBlank() ? DEFAULT_WEBHOOK_BASE_URL : env;
      }
    }

    /** Settings with the webhook base URL from {@value #WEBHOOK_BASE_URL_ENV}. */
    public Settings(
        String watchNamespace,
        String temporalAddress,
        String temporalNamespace,
        String agentImage,
        String leaseNamespace,
        String identity) {
      this(
          watchNamespace,
          temporalAddress,
          temporalNamespace,
          agentImage,
          leaseNamespace,
          identity,
          null);
    }
  }

  /**
   * Environment variable with the Temporal Web UI's base URL: ArkNotify's {@code .run.dashboardUrl}
   * links to the run's workflow there (empty when unset).
   */
  public static final String TEMPORAL_UI_URL_ENV = "ARK_TEMPORAL_UI_URL";

  /** Name of the leader-election Lease. */
  public static final String LEASE_NAME = "ark-operator";

  private final KubernetesClient client;
  private final WorkflowClient temporal;
  private final WorkerFactory workers;
  private final Settings settings;
  private final Clock clock = Clock.systemUTC();
  private final AtomicReference<Operator> bridge = new AtomicReference<>();
  private final CompletableFuture<Void> lostLeadership = new CompletableFuture<>();
  private CompletableFuture<?> election;
  private ArkServiceReconciler.Settings serviceSettings = ArkServiceReconciler.Settings.inCluster();
  private final AtomicReference<ArkServiceReconciler> services = new AtomicReference<>();

  public OperatorRuntime(
      KubernetesClient client, WorkflowClient temporal, WorkerFactory workers, Settings settings) {
    this.client = client;
    this.temporal = temporal;
    this.workers = workers;
    this.settings = settings;
  }

  /** Where ArkServices are served (default: all interfaces, the pod IP from the environment). */
  public OperatorRuntime withServices(ArkServiceReconciler.Settings settings) {
    this.serviceSettings = settings;
    return this;
  }

  /** Starts the worker, then leads (bridge) or waits for the Lease. */
  public void start() throws InterruptedException {
    Worker worker = workers.newWorker(TeamRunWorkflow.TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    EventRecorder agentEvents = new EventRecorder(client, "ark-operator", clock);
    worker.registerActivitiesImplementations(
        new RunStatusActivitiesImpl(new StatusWriter(client), clock),
        new EventActivitiesImpl(client),
        new NotifyActivitiesImpl(client, temporal),
        new NotifyDeliveryActivitiesImpl(
            client, System.getenv(TEMPORAL_UI_URL_ENV), settings.temporalNamespace(), clock),
        new BudgetActivitiesImpl(client, agentEvents, clock),
        new AgentHealthActivitiesImpl(new StatusWriter(client), agentEvents, clock));
    workers.start();
    if (settings.leaseNamespace() == null) {
      startBridge();
      return;
    }
    election =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(LEASE_NAME)
                    .withLock(
                        new LeaseLock(settings.leaseNamespace(), LEASE_NAME, settings.identity()))
                    .withLeaseDuration(Duration.ofSeconds(15))
                    .withRenewDeadline(Duration.ofSeconds(10))
                    .withRetryPeriod(Duration.ofSeconds(2))
                    .withReleaseOnCancel()
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            this::lead,
                            () -> lostLeadership.complete(null),
                            leader -> LOG.info("ark operator leader: {}", leader)))
                    .build())
            .build()
            .start();
  }

  /** Completes when this replica lost the Lease; the process should exit and restart. */
  public CompletableFuture<Void> lostLeadership() {
    return lostLeadership;
  }

  /** Ready: the bridge's caches are synced, or this replica is a standby. */
  public String notReady() {
    Operator operator = bridge.get();
    if (settings.leaseNamespace() == null && operator == null) {
      return "starting";
    }
    return operator == null || operator.isSynced() ? null : "informer caches are not synced yet";
  }

  private void lead() {
    try {
      startBridge();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("cannot start the bridge: {}", e.getMessage());
      lostLeadership.complete(null);
    }
  }

  private void startBridge() throws InterruptedException {
    Operator operator = new Operator(client, settings.watchNamespace());
    operator.register(
        new ArkTeamReconciler(client, operator, operator.events(), clock),
        ArkTeamReconciler.watches());
    operator.register(
        new ArkAgentReconciler(
            client,
            operator,
            operator.events(),
            settings.agentImage(),
            settings.temporalAddress(),
            settings.temporalNamespace(),
            clock),
        ArkAgentReconciler.watches());
    operator.register(
        new ArkRunReconciler(
            client,
            operator,
            temporal,
            new StatusWriter(client),
            clock,
            (run, reason, message) -> operator.events().warning(run, reason, message)),
        List.of(runsOfTeam()));
    ArkEventReconciler.inform(operator);
    operator.register(
        new ArkEventReconciler(
            client, temporal, operator, operator.events(), settings.webhookBaseUrl(), clock),
        ArkEventReconciler.watches());
    ArkNotifyReconciler.inform(operator);
    operator.register(new ArkNotifyReconciler(client, operator.events(), clock));
    ArkServiceReconciler.inform(operator);
    ArkServiceReconciler serviceReconciler =
        new ArkServiceReconciler(
            client, operator, temporal, operator.events(), clock, serviceSettings);
    services.set(serviceReconciler);
    operator.register(serviceReconciler, ArkServiceReconciler.watches());
    ArkRegistryReconciler.inform(operator);
    operator.register(
        new ArkRegistryReconciler(client, operator, operator.events(), clock),
        ArkRegistryReconciler.watches());
    ArkMemoryReconciler.inform(operator);
    operator.register(new ArkMemoryReconciler(client, operator.events(), clock));
    operator.start();
    bridge.set(operator);
    LOG.info(
        "ark operator: watching {}",
        settings.watchNamespace() == null ? "all namespaces" : settings.watchNamespace());
  }

  /**
   * A team that appears or whose spec or metadata changes wakes the runs waiting for it (not
   * started yet); its own status writes ({@code lastRun} at every run's phase change) wake none.
   */
  public static Watch<ArkTeam> runsOfTeam() {
    return new Watch<>(
            ArkTeam.class,
            (team, caches) ->
                caches.list(ArkRun.class, team.getMetadata().getNamespace()).stream()
                    .filter(run -> waitingFor(run, team))
                    .map(ObjectKey::of)
                    .toList(),
            null)
        .onUpdates(Updates.beyondStatus());
  }

  private static boolean waitingFor(ArkRun run, ArkTeam team) {
    boolean started =
        run.getStatus() != null
            && (run.getStatus().getWorkflowId() != null
                || (run.getStatus().getPhase() != null
                    && Phases.terminal(run.getStatus().getPhase().getValue())));
    return !started
        && Objects.equals(
            team.getMetadata().getName(),
            run.getSpec() == null || run.getSpec().getTeamRef() == null
                ? null
                : run.getSpec().getTeamRef().getName());
  }

  @Override
  public void close() {
    if (election != null) {
      election.cancel(true);
    }
    Operator operator = bridge.getAndSet(null);
    if (operator != null) {
      operator.close();
    }
    ArkServiceReconciler serviceReconciler = services.getAndSet(null);
    if (serviceReconciler != null) {
      serviceReconciler.close();
    }
    workers.shutdown();
    workers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
  }
}
