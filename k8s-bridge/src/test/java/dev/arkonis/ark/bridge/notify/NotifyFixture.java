package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.informer.Controller;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.reconcile.ArkRunReconciler;
import dev.arkonis.ark.bridge.reconcile.ArkTeamReconciler;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkNotify;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.NotifyWorkflow;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's notification path on a CRUD mock API server and an in-process Temporal service:
 * the orchestration worker with the run status, notify and delivery activities, agent workers on
 * the mock model, the team, run and ArkNotify reconcilers, a real HTTP receiver, and the process's
 * log output captured for the secret checks.
 */
final class NotifyFixture implements AutoCloseable {
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  final String ns;
  final KubernetesClient client;
  final TestWorkflowEnvironment env;
  final Receiver receiver;
  final NotifyActivitiesImpl notify;
  final Operator operator;
  final ArkRunReconciler runs;
  final List<String> warnings = new ArrayList<>();
  private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private final PrintStream originalErr = System.err;
  private final PrintStream originalOut = System.out;
  private final List<String> workflowIds = new ArrayList<>();

  NotifyFixture(KubernetesClient client, String ns, String... agents) throws Exception {
    MOCK_LOG.setLevel(Level.WARNING);
    System.setErr(new PrintStream(new Tee(originalErr, logs), true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(new Tee(originalOut, logs), true, StandardCharsets.UTF_8));
    this.client = client;
    this.ns = ns;
    CrdCatalog.install(client);
    receiver = new Receiver();
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    StatusWriter writer = new StatusWriter(client);
    notify = new NotifyActivitiesImpl(client, env.getWorkflowClient());
    Worker orchestrator = env.newWorker(TeamRunWorkflow.TASK_QUEUE);
    orchestrator.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    orchestrator.registerActivitiesImplementations(
        new RunStatusActivitiesImpl(writer, Clock.systemUTC()),
        notify,
        new NotifyDeliveryActivitiesImpl(
            client, "http://temporal-ui.example:8233", "default", Clock.systemUTC()));
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT));
    ToolActivitiesImpl tools = new ToolActivitiesImpl(Map.of());
    for (String agent : agents) {
      env.newWorker(RunPlan.taskQueue(ns, agent)).registerActivitiesImplementations(chat, tools);
    }
    env.start();
    operator =
        new Operator(
            client,
            null,
            new Controller.Settings(
                2, Duration.ofMillis(50), Duration.ofMillis(500), Duration.ZERO));
    operator.register(
        new ArkTeamReconciler(client, operator, operator.events(), Clock.systemUTC()),
        ArkTeamReconciler.watches());
    ArkNotifyReconciler.inform(operator);
    operator.register(new ArkNotifyReconciler(client, operator.events(), Clock.systemUTC()));
    operator.start();
    runs =
        new ArkRunReconciler(
            client,
            env.getWorkflowClient(),
            writer,
            Clock.systemUTC(),
            (r, reason, m) -> warnings.add(reason + ": " + m));
  }

  /** A Secret with these string values (stored base64 in {@code data}, as the API does). */
  void secret(String name, Map<String, String> values) {
    Map<String, String> data = new java.util.LinkedHashMap<>();
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withData(data)
                .build())
        .createOrReplace();
  }

  <T extends HasMetadata> T apply(Class<T> type, String yaml) {
    T object = client.getKubernetesSerialization().unmarshal(yaml, type);
    return client.resources(type).inNamespace(ns).resource(object).createOrReplace();
  }

  /** Hands an event over as the operator's activity does. */
  void send(Notification notification) {
    notify.notify(notification);
  }

  /** An ArkNotify's status as JSON. */
  JsonNode notifyStatus(String name) {
    ArkNotify notify = client.resources(ArkNotify.class).inNamespace(ns).withName(name).get();
    return client.getKubernetesSerialization().convertValue(notify, JsonNode.class).path("status");
  }

  /** Remembers a workflow whose history the secret check reads. */
  void watchHistory(String workflowId) {
    workflowIds.add(workflowId);
  }

  /**
   * The histories of the remembered workflows and of the ArkNotify's workflow, as JSON, each
   * payload (base64 in the JSON) followed by its decoded text.
   */
  String histories(String notifyName) {
    StringBuilder out = new StringBuilder();
    List<String> ids = new ArrayList<>(workflowIds);
    ids.add(NotifyWorkflow.workflowId(ns, notifyName));
    for (String id : ids) {
      String json = env.getWorkflowClient().fetchHistory(id).toJson(false);
      out.append(json).append('\n');
      Matcher data = PAYLOAD.matcher(json);
      while (data.find()) {
        out.append(new String(Base64.getDecoder().decode(data.group(1)), StandardCharsets.UTF_8))
            .append('\n');
      }
    }
    return out.toString();
  }

  private static final Pattern PAYLOAD = Pattern.compile("\"data\":\\s*\"([A-Za-z0-9+/=]+)\"");

  /** Everything the process printed since the fixture started. */
  String logs() {
    synchronized (logs) {
      return logs.toString(StandardCharsets.UTF_8);
    }
  }

  /** Every object of the namespace as the API serves it (status included). */
  String objects() {
    StringBuilder out = new StringBuilder();
    for (String plural : List.of("arknotifies", "arkruns", "arkteams", "arkagents")) {
      out.append(
          client
              .genericKubernetesResources("arkonis.dev/v1alpha1", kindOf(plural))
              .inNamespace(ns)
              .list()
              .getItems()
              .toString());
    }
    out.append(client.configMaps().inNamespace(ns).list().getItems());
    return out.toString();
  }

  private static String kindOf(String plural) {
    return switch (plural) {
      case "arknotifies" -> "ArkNotify";
      case "arkruns" -> "ArkRun";
      case "arkteams" -> "ArkTeam";
      default -> "ArkAgent";
    };
  }

  @Override
  public void close() {
    System.setErr(originalErr);
    System.setOut(originalOut);
    operator.close();
    env.close();
    receiver.close();
  }

  /** Writes to the original stream and to the capture. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final ByteArrayOutputStream second;

    Tee(OutputStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) {
      synchronized (second) {
        second.write(b);
      }
      try {
        first.write(b);
      } catch (java.io.IOException e) {
        // the console is best effort
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      synchronized (second) {
        second.write(b, off, len);
      }
      try {
        first.write(b, off, len);
      } catch (java.io.IOException e) {
        // the console is best effort
      }
    }
  }
}
