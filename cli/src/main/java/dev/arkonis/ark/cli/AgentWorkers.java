package dev.arkonis.ark.cli;

import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
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
 * started factory takes no new workers.
 */
final class AgentWorkers implements AutoCloseable {
  private final WorkflowClient temporal;
  private final List<Object> activities;
  private final Consumer<String> say;
  private final Map<String, Served> factories = new ConcurrentHashMap<>();
  private final SharedIndexInformer<ArkAgent> informer;
  private volatile boolean closed;

  /**
   * @param namespace the namespace to serve, or null for all
   * @param activities the activity implementations each worker registers
   * @param say receives one line per worker started
   */
  AgentWorkers(
      KubernetesClient client,
      String namespace,
      WorkflowClient temporal,
      List<Object> activities,
      Consumer<String> say) {
    this.temporal = temporal;
    this.activities = activities;
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
            served.factory().shutdown();
          }
          WorkerFactory factory = WorkerFactory.newInstance(temporal);
          factory
              .newWorker(q, AgentWorkerOptions.of(slots))
              .registerActivitiesImplementations(activities.toArray());
          factory.start();
          say.accept("agent worker on " + q + " (" + slots + " concurrent tasks)");
          return new Served(factory, slots);
        });
  }

  /** The activity slots of the worker on a queue, or 0 when there is none (tests). */
  int slots(String queue) {
    Served served = factories.get(queue);
    return served == null ? 0 : served.slots();
  }

  /** Stops the informer, then lets each worker finish the tasks it picked up. */
  @Override
  public void close() {
    closed = true;
    informer.stop();
    factories.values().forEach(s -> s.factory().shutdown());
    factories.values().forEach(s -> s.factory().awaitTermination(30, TimeUnit.SECONDS));
  }

  private record Served(WorkerFactory factory, int slots) {}
}
