package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.health.HealthReports;
import dev.arkonis.ark.activities.health.SemanticProbe;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * In-process agent workers of {@code ark dev}: an informer on ArkAgents (one namespace, or all)
 * starts a worker on task queue {@code ark/<namespace>/<agent>} for every agent there is and every
 * agent that appears later (managed agents of teams included), so the runs of any team in the
 * watched namespaces are served on this machine. Each worker has its own {@link WorkerFactory}: a
 * started factory takes no new workers. An agent with {@code livenessProbe.type: semantic} gets the
 * same {@link SemanticProbe} as an {@code ark agent} replica (replica id: this host's name); its
 * probe settings are read when its worker starts.
 */
final class AgentWorkers implements AutoCloseable {
  private final WorkflowClient temporal;
  private final List<Object> activities;
  private final Consumer<String> say;
  private final WorkerLog log;
  private final Map<String, Served> factories = new ConcurrentHashMap<>();
  private final KubernetesSerialization serialization;
  private final SharedIndexInformer<ArkAgent> informer;
  private volatile boolean closed;

  /**
   * @param namespace the namespace to serve, or null for all
   * @param activities the activity implementations each worker registers
   * @param say receives one line per worker started
   * @param log each worker's own log (what its activities served)
   */
  AgentWorkers(
      KubernetesClient client,
      String namespace,
      WorkflowClient temporal,
      List<Object> activities,
      Consumer<String> say,
      WorkerLog log) {
    this.temporal = temporal;
    this.activities = activities;
    this.log = log;
    this.serialization = client.getKubernetesSerialization();
    this.say = say;
    var agents = client.resources(ArkAgent.class);
    informer =
        (namespace == null ? agents.inAnyNamespace() : agents.inNamespace(namespace))
            .runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(ArkAgent agent) {
            serve(agent);
          }

          @Override
          public void onUpdate(ArkAgent old, ArkAgent agent) {
            serve(agent);
          }

          @Override
          public void onDelete(ArkAgent agent, boolean unknownFinalState) {
            // the worker stays: runs already planned on the agent's queue may still need it
          }
        });
  }

  /** Starts the informer; returns once the agents that exist now have a worker. */
  AgentWorkers start() {
    informer.run();
    return this;
  }

  /**
   * A worker for the agent's queue with its {@code limits.maxConcurrentTasks} slots; when the limit
   * changes, the old worker finishes its tasks and a new one takes over.
   */
  private void serve(ArkAgent agent) {
    String queue =
        RunPlan.taskQueue(agent.getMetadata().getNamespace(), agent.getMetadata().getName());
    int slots = AgentWorkerOptions.slots(agent);
    factories.compute(
        queue,
        (q, served) -> {
          if (closed || (served != null && served.slots() == slots)) {
            return served;
          }
          if (served != null) {
            served.stop();
          }
          WorkerFactory factory =
              WorkerFactory.newInstance(
                  temporal, TracingOptions.workers(WorkerFactoryOptions.newBuilder()).build());
          Worker worker = factory.newWorker(q, AgentWorkerOptions.of(slots));
          SemanticProbe probe = probe(agent, q, worker);
          worker.registerActivitiesImplementations(
              activities.stream()
                  .map(
                      a ->
                          probe != null && a instanceof AgentActivities chat ? probe.gate(chat) : a)
                  .map(a -> log.logging(q, a))
                  .toArray());
          factory.start();
          if (probe != null) {
            probe.start();
          }
          say.accept(
              "agent worker on "
                  + q
                  + " ("
                  + slots
                  + " concurrent tasks"
                  + (probe == null
                      ? ""
                      : ", semantic probe every " + probe.intervalSeconds() + " s")
                  + ")");
          return new Served(factory, slots, probe);
        });
  }

  /** The activity slots of the worker on a queue, or 0 when there is none (tests). */
  int slots(String queue) {
    Served served = factories.get(queue);
    return served == null ? 0 : served.slots();
  }

  /** The agent's semantic probe (as {@code ark agent} runs it), or null when it has none. */
  private SemanticProbe probe(ArkAgent agent, String queue, Worker worker) {
    var spec = agent.getSpec();
    SemanticProbe.Settings settings =
        spec == null || spec.getLivenessProbe() == null
            ? null
            : SemanticProbe.Settings.of(
                serialization.convertValue(spec.getLivenessProbe(), JsonNode.class));
    AgentActivities chat =
        activities.stream()
            .filter(AgentActivities.class::isInstance)
            .map(AgentActivities.class::cast)
            .findFirst()
            .orElse(null);
    if (settings == null || chat == null) {
      return null;
    }
    AgentSpec probed =
        new AgentSpec(
            "probe",
            agent.getMetadata().getName(),
            queue,
            spec.getModel(),
            spec.getProvider() == null ? "" : spec.getProvider().getValue(),
            spec.getSystemPrompt() == null ? "" : spec.getSystemPrompt(),
            0,
            30,
            null,
            false,
            List.of(),
            List.of(),
            List.of());
    return new SemanticProbe(
        chat,
        probed,
        settings,
        List.of(worker),
        new HealthReports(
            temporal, List.of(queue), HealthReports.replicaId(), settings.intervalSeconds()));
  }

  /** Stops the informer, then lets each worker finish the tasks it picked up. */
  @Override
  public void close() {
    closed = true;
    informer.stop();
    factories.values().forEach(Served::stop);
    factories.values().forEach(s -> s.factory().awaitTermination(30, TimeUnit.SECONDS));
  }

  private record Served(WorkerFactory factory, int slots, SemanticProbe probe) {
    void stop() {
      if (probe != null) {
        probe.close();
      }
      factory.shutdown();
    }
  }
}
