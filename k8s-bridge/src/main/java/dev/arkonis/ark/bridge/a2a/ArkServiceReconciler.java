package dev.arkonis.ark.bridge.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.bridge.informer.Apply;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.ObjectKey;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.bridge.informer.Watch;
import dev.arkonis.ark.bridge.reconcile.ClusterReferences;
import dev.arkonis.ark.bridge.reconcile.Reconciler;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.ReadyStatus;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkService;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ArkService → its listeners in this process ({@link ServiceListeners}: A2A or plain HTTP per
 * {@code spec.ports[]}), a Kubernetes Service {@code <name>} owned by it whose ports lead to them
 * (no selector: with the operator's pod IP known, an EndpointSlice {@code <name>-ark} points at
 * this pod), and its status: {@code endpoints}, {@code readyReplicas} (of the selected agents),
 * {@code Ready}. The agents are {@code selector.arkAgent} or the ArkAgents carrying all of {@code
 * selector.matchLabels}; each task goes to one of them by {@code routing.strategy} ({@link
 * Strategies}).
 */
public final class ArkServiceReconciler implements Reconciler, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Label on the EndpointSlice naming its Service (Kubernetes' own). */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** The A2A port when {@code spec.ports} is empty. */
  public static final int DEFAULT_PORT = 8080;

  /**
   * Where the listeners are and how clients reach them.
   *
   * @param bindHost address the listeners bind ({@code 0.0.0.0} in a pod, {@code 127.0.0.1} in
   *     {@code ark dev})
   * @param podIp this pod's IP for the EndpointSlice; null: none is written and the endpoints are
   *     {@code http://<bindHost>:<port>/} URLs (ark dev)
   * @param blockingWait how long a blocking request waits for the answer before it returns the task
   *     still working
   */
  public record Settings(String bindHost, String podIp, Duration blockingWait) {
    /** Environment variable with the operator pod's IP (the Helm chart sets it). */
    public static final String POD_IP_ENV = "ARK_POD_IP";

    /** ark dev: 127.0.0.1, no EndpointSlice. */
    public static Settings local() {
      return new Settings("127.0.0.1", null, Duration.ofSeconds(25));
    }

    /** In a pod: all interfaces; the pod IP from {@value #POD_IP_ENV}. */
    public static Settings inCluster() {
      String ip = System.getenv(POD_IP_ENV);
      return new Settings(
          "0.0.0.0", ip == null || ip.isBlank() ? null : ip, Duration.ofSeconds(25));
    }
  }

  /** One served ArkService. */
  private record Served(ServiceListeners listeners, AtomicReference<TemporalTasks.Target> target) {}

  private final KubernetesClient client;
  private final Caches caches;
  private final WorkflowClient temporal;
  private final EventRecorder events;
  private final StatusWriter status;
  private final Clock clock;
  private final Settings settings;
  private final Strategies strategies;
  private final ScheduledExecutorService timers;
  private final Map<ObjectKey, Served> served = new ConcurrentHashMap<>();

  public ArkServiceReconciler(
      KubernetesClient client,
      Caches caches,
      WorkflowClient temporal,
      EventRecorder events,
      Clock clock,
      Settings settings) {
    this.client = client;
    this.caches = caches;
    this.temporal = temporal;
    this.events = events;
    this.status = new StatusWriter(client);
    this.clock = clock;
    this.settings = settings;
    this.strategies = new Strategies(new TemporalQueueLoads(temporal), new Random());
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ark-a2a-timers");
              t.setDaemon(true);
              return t;
            });
  }

  /** The informer this reconciler needs. */
  public static void inform(Operator operator) {
    operator.inform(ArkService.class);
  }

  /** An ArkAgent that appears, changes or goes wakes the ArkServices of its namespace. */
  public static List<Watch<?>> watches() {
    return List.of(
        new Watch<>(
            ArkAgent.class,
            (agent, caches) ->
                caches.list(ArkService.class, agent.getMetadata().getNamespace()).stream()
                    .map(ObjectKey::of)
                    .toList(),
            null));
  }

  @Override
  public String kind() {
    return "ArkService";
  }

  @Override
  public void reconcile(String namespace, String name) {
    ObjectKey key = new ObjectKey(namespace, name);
    ArkService service = caches.get(ArkService.class, namespace, name);
    if (service == null) {
      Served gone = served.remove(key);
      if (gone != null) {
        gone.listeners().close();
      }
      return;
    }
    JsonNode tree = client.getKubernetesSerialization().convertValue(service, JsonNode.class);
    JsonNode spec = tree.path("spec");
    List<JsonNode> agents = selected(namespace, spec.path("selector"));
    Map<String, String> queues = new LinkedHashMap<>();
    int readyReplicas = 0;
    for (JsonNode agent : agents) {
      String agentName = agent.path("metadata").path("name").asText();
      queues.put(agentName, RunPlan.taskQueue(namespace, agentName));
      readyReplicas += agent.path("status").path("readyReplicas").asInt(0);
    }
    String strategy = spec.path("routing").path("strategy").asText(Strategies.ROUND_ROBIN);
    Served mine = served.computeIfAbsent(key, k -> serve(namespace, name));
    mine.target().set(new TemporalTasks.Target(strategy, Map.copyOf(queues)));
    Map<Integer, String> ports = new LinkedHashMap<>();
    for (JsonNode port : spec.path("ports")) {
      ports.put(port.path("port").asInt(), port.path("protocol").asText("A2A"));
    }
    if (ports.isEmpty()) {
      ports.put(DEFAULT_PORT, "A2A");
    }
    Map<Integer, Integer> bound = mine.listeners().sync(ports, settings.bindHost(), false);
    List<String> urls = new ArrayList<>();
    Map<Integer, ObjectNode> cards = new LinkedHashMap<>();
    for (Map.Entry<Integer, String> port : ports.entrySet()) {
      String url = url(namespace, name, port.getKey(), bound.get(port.getKey()));
      urls.add("HTTP".equals(port.getValue()) ? url + "tasks" : url);
      if ("A2A".equals(port.getValue())) {
        cards.put(port.getKey(), AgentCards.card(tree, agents, url));
      }
    }
    mine.listeners().cards(cards);
    Service kube = ensureService(service, ports, bound);
    if (settings.podIp() != null) {
      ensureEndpoints(service, ports, bound);
    }
    ObjectNode patch = JSON.createObjectNode();
    patch.put("readyReplicas", readyReplicas);
    ArrayNode endpoints = patch.putArray("endpoints");
    urls.forEach(endpoints::add);
    String selector = describeSelector(spec.path("selector"));
    if (agents.isEmpty()) {
      String message =
          "no ArkAgent matches "
              + selector
              + " in namespace "
              + namespace
              + "; create it or fix spec.selector (requests are refused until then)";
      ReadyStatus.write(
              status,
              ArkService.class,
              service,
              tree.path("status"),
              patch,
              Conditions.FALSE,
              "NoAgents",
              message,
              clock)
          .ifPresent(before -> events.warning(service, "NoAgents", message));
      return;
    }
    ReadyStatus.write(
        status,
        ArkService.class,
        service,
        tree.path("status"),
        patch,
        Conditions.TRUE,
        "Serving",
        "Service "
            + kube.getMetadata().getName()
            + " routes to "
            + String.join(", ", queues.keySet())
            + " ("
            + strategy
            + "); "
            + String.join(", ", urls),
        clock);
  }

  private Served serve(String namespace, String name) {
    AtomicReference<TemporalTasks.Target> target =
        new AtomicReference<>(new TemporalTasks.Target(Strategies.ROUND_ROBIN, Map.of()));
    TemporalTasks tasks =
        new TemporalTasks(
            temporal,
            namespace,
            name,
            target::get,
            (ns, agent) ->
                new RunPlanner(new ClusterReferences(client, ns), notice -> {}, true)
                    .requiringReferences()
                    .agent(ns, name, agent),
            strategies);
    return new Served(
        new ServiceListeners(namespace + "-" + name, tasks, settings.blockingWait(), timers),
        target);
  }

  private String url(String namespace, String name, int specPort, int boundPort) {
    if (settings.podIp() != null) {
      return "http://" + name + "." + namespace + ".svc:" + specPort + "/";
    }
    String host = "0.0.0.0".equals(settings.bindHost()) ? "127.0.0.1" : settings.bindHost();
    return "http://" + host + ":" + boundPort + "/";
  }

  /** The selected agents, sorted by name. */
  private List<JsonNode> selected(String namespace, JsonNode selector) {
    List<ArkAgent> agents = new ArrayList<>();
    if (selector.hasNonNull("arkAgent")) {
      ArkAgent agent = caches.get(ArkAgent.class, namespace, selector.path("arkAgent").asText());
      if (agent != null) {
        agents.add(agent);
      }
    } else if (selector.path("matchLabels").isObject()) {
      Map<String, String> wanted = new LinkedHashMap<>();
      selector
          .path("matchLabels")
          .fields()
          .forEachRemaining(e -> wanted.put(e.getKey(), e.getValue().asText()));
      for (ArkAgent agent : caches.list(ArkAgent.class, namespace)) {
        Map<String, String> labels = agent.getMetadata().getLabels();
        if (wanted.entrySet().stream()
            .allMatch(
                e -> labels != null && Objects.equals(labels.get(e.getKey()), e.getValue()))) {
          agents.add(agent);
        }
      }
    }
    agents.sort(Comparator.comparing(a -> a.getMetadata().getName()));
    return agents.stream()
        .map(a -> (JsonNode) client.getKubernetesSerialization().convertValue(a, JsonNode.class))
        .toList();
  }

  private static String describeSelector(JsonNode selector) {
    return selector.hasNonNull("arkAgent")
        ? "spec.selector.arkAgent \"" + selector.path("arkAgent").asText() + "\""
        : "spec.selector.matchLabels " + selector.path("matchLabels");
  }

  private Service ensureService(
      ArkService owner, Map<Integer, String> ports, Map<Integer, Integer> bound) {
    List<ServicePort> servicePorts = new ArrayList<>();
    for (Map.Entry<Integer, String> port : ports.entrySet()) {
      servicePorts.add(
          new ServicePortBuilder()
              .withName(port.getValue().toLowerCase(java.util.Locale.ROOT) + "-" + port.getKey())
              .withProtocol("TCP")
              .withPort(port.getKey())
              .withNewTargetPort(bound.get(port.getKey()))
              .build());
    }
    String namespace = owner.getMetadata().getNamespace();
    String name = owner.getMetadata().getName();
    Service desired =
        new ServiceBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels(Operator.MANAGED_BY_LABEL, Operator.MANAGED_BY)
            .addToLabels("arkonis.dev/service", name)
            .withOwnerReferences(Apply.controllerReference(owner))
            .endMetadata()
            .withNewSpec()
            .withType("ClusterIP")
            .withPorts(servicePorts)
            .endSpec()
            .build();
    Service live = client.services().inNamespace(namespace).withName(name).get();
    return Apply.ensure(
            client,
            live,
            desired,
            (a, b) ->
                Objects.equals(ports(a), ports(b))
                    && (a.getSpec().getSelector() == null || a.getSpec().getSelector().isEmpty()),
            (source, target) -> {
              target.getSpec().setPorts(source.getSpec().getPorts());
              target.getSpec().setSelector(null);
            })
        .object();
  }

  private static List<String> ports(Service service) {
    return service.getSpec() == null || service.getSpec().getPorts() == null
        ? List.of()
        : service.getSpec().getPorts().stream()
            .map(p -> p.getName() + ":" + p.getPort() + ">" + p.getTargetPort().getIntVal())
            .toList();
  }

  private void ensureEndpoints(
      ArkService owner, Map<Integer, String> ports, Map<Integer, Integer> bound) {
    String namespace = owner.getMetadata().getNamespace();
    String name = owner.getMetadata().getName() + "-ark";
    EndpointSliceBuilder builder =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels(Operator.MANAGED_BY_LABEL, Operator.MANAGED_BY)
            .addToLabels(SERVICE_NAME_LABEL, owner.getMetadata().getName())
            .addToLabels("endpointslice.kubernetes.io/managed-by", "ark.arkonis.dev")
            .withOwnerReferences(Apply.controllerReference(owner))
            .endMetadata()
            .withAddressType(settings.podIp().contains(":") ? "IPv6" : "IPv4")
            .addNewEndpoint()
            .withAddresses(settings.podIp())
            .withNewConditions()
            .withReady(true)
            .endConditions()
            .endEndpoint();
    for (Map.Entry<Integer, String> port : ports.entrySet()) {
      builder
          .addNewPort()
          .withName(port.getValue().toLowerCase(java.util.Locale.ROOT) + "-" + port.getKey())
          .withProtocol("TCP")
          .withPort(bound.get(port.getKey()))
          .endPort();
    }
    EndpointSlice desired = builder.build();
    EndpointSlice live =
        client.discovery().v1().endpointSlices().inNamespace(namespace).withName(name).get();
    Apply.ensure(
        client,
        live,
        desired,
        (a, b) ->
            Objects.equals(a.getEndpoints(), b.getEndpoints())
                && Objects.equals(a.getPorts(), b.getPorts()),
        (source, target) -> {
          target.setEndpoints(source.getEndpoints());
          target.setPorts(source.getPorts());
          target.setAddressType(source.getAddressType());
        });
  }

  @Override
  public void close() {
    served.values().forEach(s -> s.listeners().close());
    served.clear();
    timers.shutdownNow();
  }
}
