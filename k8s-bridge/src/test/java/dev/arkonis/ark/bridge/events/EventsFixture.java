package dev.arkonis.ark.bridge.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.informer.Controller;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.reconcile.ArkRunReconciler;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ark CRDs on a CRUD mock API server, an {@link Operator} running the ArkEvent reconciler (and,
 * when asked, the ArkRun reconciler), and an orchestration worker on a given Temporal connection
 * with the event activities, as {@code OperatorRuntime} wires them.
 */
final class EventsFixture implements AutoCloseable {
  static final String WEBHOOK_BASE = "https://ark.example.com/";

  /** Kept so the level sticks: the mock server logs every request at INFO. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  final KubernetesClient client;
  final String namespace;
  final Operator operator;
  final ArkEventReconciler events;

  /**
   * @param worker the orchestration worker to register workflows and activities on
   * @param runs also run the ArkRun reconciler (runs then execute their teams)
   */
  EventsFixture(
      KubernetesClient client,
      String namespace,
      WorkflowClient temporal,
      Worker worker,
      boolean runs)
      throws InterruptedException {
    MOCK_LOG.setLevel(Level.WARNING);
    this.client = client;
    this.namespace = namespace;
    CrdCatalog.install(client);
    StatusWriter writer = new StatusWriter(client);
    worker.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    worker.registerActivitiesImplementations(
        new RunStatusActivitiesImpl(writer, Clock.systemUTC()), new EventActivitiesImpl(client));
    operator =
        new Operator(
            client,
            namespace,
            new Controller.Settings(
                2, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ZERO));
    ArkEventReconciler.inform(operator);
    events =
        new ArkEventReconciler(
            client, temporal, operator, operator.events(), WEBHOOK_BASE, Clock.systemUTC());
    operator.register(events, ArkEventReconciler.watches());
    if (runs) {
      operator.register(
          new ArkRunReconciler(client, temporal, writer, Clock.systemUTC(), (r, reason, m) -> {}));
    }
  }

  void start() throws InterruptedException {
    operator.start();
  }

  @Override
  public void close() {
    operator.close();
  }

  /** Agent workers (mock model) for the single role {@code worker} of each team. */
  static void agentWorkers(
      io.temporal.worker.WorkerFactory factory, String namespace, String... teams) {
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT));
    ToolActivitiesImpl tools = new ToolActivitiesImpl(Map.of());
    for (String team : teams) {
      factory
          .newWorker(RunPlan.taskQueue(namespace, team + "-worker"))
          .registerActivitiesImplementations(chat, tools);
    }
  }

  /** A one-role team (role {@code worker}, mock model) with an optional input {@code task}. */
  static String team(String name) {
    return """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: %s}
        spec:
          inputs:
            - {name: task, type: string, required: false, default: "start"}
          roles:
            - {name: worker, model: gpt-4o, systemPrompt: Do the task.}
          pipeline:
            - role: worker
              inputs: {prompt: "Task: {{ .input.task }}"}
        """
        .formatted(name);
  }

  <T extends HasMetadata> T apply(Class<T> type, String yaml) {
    T object = client.getKubernetesSerialization().unmarshal(yaml, type);
    return client.resources(type).inNamespace(namespace).resource(object).create();
  }

  ArkEvent event(String name) {
    return client.resources(ArkEvent.class).inNamespace(namespace).withName(name).get();
  }

  List<ArkRun> runs() {
    return client.resources(ArkRun.class).inNamespace(namespace).list().getItems();
  }

  JsonNode status(Class<? extends HasMetadata> type, String name) {
    HasMetadata object = client.resources(type).inNamespace(namespace).withName(name).get();
    return object == null
        ? MissingNode.getInstance()
        : client.getKubernetesSerialization().convertValue(object, JsonNode.class).path("status");
  }

  JsonNode tree(HasMetadata object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }

  static JsonNode condition(JsonNode status, String type) {
    return Conditions.find(status, type);
  }
}
