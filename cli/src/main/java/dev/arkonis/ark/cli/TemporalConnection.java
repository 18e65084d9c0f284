package dev.arkonis.ark.cli;

import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.Scope;
import dev.arkonis.ark.activities.visibility.SearchAttributeSetup;
import dev.arkonis.ark.bridge.codec.PayloadEncryption;
import dev.arkonis.ark.workflows.api.RunSearchAttributes;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Temporal service for the CLI: in-process (the {@code temporal-testing} server, real time, no
 * time skipping) or a real server given with {@code --temporal-address}. The SDK's metrics go to
 * the process's Prometheus registry ({@link PrometheusMetrics#temporalScope()}).
 */
final class TemporalConnection implements AutoCloseable {
  private final WorkflowClient client;
  private final WorkerFactory factory;
  private final AutoCloseable closer;
  private final String description;
  private boolean closed;

  /**
   * Set by {@link Main#main}: the process exits as soon as its command returns. Closing an embedded
   * service then does nothing: its run has ended and no other process can use it, so its workers
   * and in-memory server go with the process instead of being stopped one by one, which took 250 to
   * 500 ms of every {@code ark run} (the pollers' shutdown). A Temporal server of its own ({@code
   * --temporal-address}) is still left gracefully: its workers may hold another run's calls.
   */
  static volatile boolean processExitsAfterClose;

  private static final String EMBEDDED = "in-process Temporal";

  private TemporalConnection(
      WorkflowClient client, WorkerFactory factory, AutoCloseable closer, String description) {
    this.client = client;
    this.factory = factory;
    this.closer = closer;
    this.description = description;
  }

  /** Starts an in-process Temporal service whose SDK metrics go to the Prometheus registry. */
  static TemporalConnection embedded() {
    return embedded(true);
  }

  /**
   * Starts an in-process Temporal service; {@code metrics} false records no SDK metrics (a process
   * that serves no {@code /metrics}, such as {@code ark run}, skips building the registry).
   */
  static TemporalConnection embedded(boolean metricsServed) {
    Scope metrics = scope(metricsServed);
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setUseTimeskipping(false)
                .setWorkflowClientOptions(
                    TracingOptions.client(
                            WorkflowClientOptions.newBuilder()
                                .setDataConverter(dataConverter(System.getenv())))
                        .build())
                .setWorkerFactoryOptions(
                    TracingOptions.workers(WorkerFactoryOptions.newBuilder()).build())
                .setMetricsScope(metrics)
                .build());
    RunSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    SearchAttributeSetup.markAvailable(env.getWorkflowClient(), true);
    return new TemporalConnection(
        env.getWorkflowClient(),
        env.getWorkerFactory(),
        () -> {
          env.close();
          PrometheusMetrics.close(metrics);
        },
        EMBEDDED);
  }

  /** Connects to a Temporal server; an unreachable address is a {@link UserError}. */
  static TemporalConnection connect(String address, String namespace) {
    return connect(address, namespace, true);
  }

  /** As above; {@code metricsServed} as for {@link #embedded(boolean)}. */
  static TemporalConnection connect(String address, String namespace, boolean metricsServed) {
    WorkflowServiceStubs stubs;
    Scope metrics = scope(metricsServed);
    // The channel's own event loop, stopped with it: gRPC's shared one outlives the channel by a
    // second, its threads waiting in native code, and the JVM waits ~0.3 s for them at exit.
    EventLoopGroup eventLoop = new NioEventLoopGroup(1);
    try {
      stubs =
          WorkflowServiceStubs.newConnectedServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget(address)
                  .setChannelInitializer(
                      builder ->
                          ((NettyChannelBuilder) builder)
                              .eventLoopGroup(eventLoop)
                              .channelType(NioSocketChannel.class))
                  .setMetricsScope(metrics)
                  .build(),
              Duration.ofSeconds(5));
    } catch (RuntimeException e) {
      eventLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      PrometheusMetrics.close(metrics);
      throw new UserError(
          "cannot reach Temporal at "
              + address
              + " ("
              + rootMessage(e)
              + "); start one with 'temporal server start-dev' or leave out --temporal-address");
    }
    WorkflowClient client =
        WorkflowClient.newInstance(
            stubs,
            TracingOptions.client(
                    WorkflowClientOptions.newBuilder()
                        .setNamespace(namespace)
                        .setDataConverter(dataConverter(System.getenv())))
                .build());
    SearchAttributeSetup.markAvailable(
        client,
        SearchAttributeSetup.ensure(stubs, namespace, w -> System.err.println("warning: " + w)));
    WorkerFactory factory =
        WorkerFactory.newInstance(
            client, TracingOptions.workers(WorkerFactoryOptions.newBuilder()).build());
    return new TemporalConnection(
        client,
        factory,
        () -> {
          stopGracefully(factory);
          stubs.shutdown();
          stubs.awaitTermination(5, TimeUnit.SECONDS);
          eventLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS);
          PrometheusMetrics.close(metrics);
        },
        "Temporal at " + address);
  }

  private static Scope scope(boolean metricsServed) {
    return metricsServed ? PrometheusMetrics.temporalScope() : new NoopScope();
  }

  WorkflowClient client() {
    return client;
  }

  WorkerFactory factory() {
    return factory;
  }

  Worker newWorker(String taskQueue) {
    return factory.newWorker(taskQueue);
  }

  /** A worker on an agent's task queue with {@code maxConcurrentTasks} activity slots. */
  Worker newAgentWorker(String taskQueue, int maxConcurrentTasks) {
    return factory.newWorker(taskQueue, AgentWorkerOptions.of(maxConcurrentTasks));
  }

  void start() {
    factory.start();
  }

  String description() {
    return description;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (processExitsAfterClose && description.equals(EMBEDDED)) {
      return; // the run is over and nothing else uses this server: it ends with the process
    }
    try {
      stopGracefully(factory);
      closer.close();
    } catch (Exception e) {
      // shutting down: nothing left to do
    }
  }

  /**
   * Lets activities this process already picked up finish and report before it exits: on a shared
   * server its workers may be running another run's calls.
   */
  private static void stopGracefully(WorkerFactory factory) {
    if (factory.isShutdown()) {
      return;
    }
    factory.shutdown();
    // Polled rather than factory.awaitTermination, which checks only every 250 ms: idle workers
    // stop within a few ms, and every ark run waits for this before it exits.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!factory.isTerminated() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * The default converter, or with {@code ARK_CODEC_KEYS} / {@code ARK_CODEC_KEY_FILE} set every
   * payload AES-GCM encrypted ({@link PayloadEncryption}, docs/security.md).
   */
  static DataConverter dataConverter(java.util.Map<String, String> env) {
    try {
      return PayloadEncryption.dataConverterFromEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw new UserError("payload codec: " + e.getMessage());
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
