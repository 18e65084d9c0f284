package dev.arkonis.ark.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link RbacUsageTest}'s recorder: the operator's client (told apart by its User-Agent), the
 * mapping of its requests to the permissions the API server checks (the request's own, and the
 * owner's {@code finalizers} update that {@code OwnerReferencesPermissionEnforcement} checks for a
 * blocking owner reference), and the contract files in {@code deploy/rbac}.
 */
final class RbacRecorder {
  static final String USER_AGENT = "ark-operator/rbac-usage-test";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * (method, body, path) of every write the operator's client sent: the mock server's dispatcher
   * consumes request bodies, so the client keeps them for the admission checks.
   */
  private static final Queue<String[]> WRITES = new ConcurrentLinkedQueue<>();

  /**
   * The admission webhook's requests (the operator process's client in production) are told apart
   * by this User-Agent in the test: they are granted by their own Role and ClusterRole ({@code
   * deploy/rbac/admission.txt}), not by the operator's ClusterRole.
   */
  static final String ADMISSION_USER_AGENT = "ark-operator/rbac-usage-test-admission";

  private final KubernetesMockServer server;

  RbacRecorder(KubernetesMockServer server) {
    this.server = server;
    WRITES.clear();
  }

  /** A client like the test's, but with the operator's User-Agent: its requests are recorded. */
  static KubernetesClient operatorClient(KubernetesClient client) {
    Interceptor bodies =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            if (!"GET".equals(request.method()) && request.bodyString() != null) {
              WRITES.add(
                  new String[] {
                    request.method(), request.bodyString(), request.uri().getRawPath()
                  });
            }
          }
        };
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("rbac-bodies", bodies))
        .build();
  }

  /** A client like the test's, with the admission webhook's User-Agent. */
  static KubernetesClient admissionClient(KubernetesClient client) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(client.getConfiguration())
                .withUserAgent(ADMISSION_USER_AGENT)
                .build())
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Requests → permissions

  /** (apiGroup, resource[/subresource], verb); the core group is written {@code core}. */
  record Permission(String group, String resource, String verb) implements Comparable<Permission> {
    static Permission parse(String line) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length != 3) {
        throw new IllegalArgumentException("not 'group resource verb': " + line);
      }
      return new Permission(fields[0], fields[1], fields[2]);
    }

    @Override
    public int compareTo(Permission o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return group + " " + resource + " " + verb;
    }
  }

  /**
   * The permission the API server checks for a request, as its RequestInfoResolver derives it;
   * empty for discovery and other non-resource URLs.
   */
  static Optional<Permission> permission(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    List<String> parts = Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    List<String> rest;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "core";
      rest = parts.subList(2, parts.size());
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      rest = parts.subList(3, parts.size());
    } else {
      return Optional.empty(); // /api, /apis, /apis/<group>, /version, /openapi, ...
    }
    if (rest.isEmpty()) {
      return Optional.empty(); // /api/v1, /apis/<group>/<version>: discovery
    }
    if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
      rest = rest.subList(2, rest.size()); // namespaced: drop namespaces/<ns>
    }
    String resource = rest.get(0) + (rest.size() >= 3 ? "/" + rest.get(2) : "");
    boolean named = rest.size() >= 2;
    String verb =
        switch (method) {
          case "GET", "HEAD" -> named ? "get" : watch(uri.getRawQuery()) ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new IllegalArgumentException(method + " " + pathAndQuery);
        };
    return Optional.of(new Permission(group, resource, verb));
  }

  /**
   * What the {@code OwnerReferencesPermissionEnforcement} admission plugin checks besides the
   * request's own permission: an object written with an owner reference whose {@code
   * blockOwnerDeletion} is true needs {@code update} on the owner's {@code finalizers} subresource.
   * Ark owners only (the operator sets no owner reference to another kind).
   */
  static Set<Permission> ownerFinalizers(String method, String body) {
    Set<Permission> checks = new TreeSet<>();
    if (!Set.of("POST", "PUT", "PATCH").contains(method) || body == null || body.isBlank()) {
      return checks;
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(body);
    } catch (IOException e) {
      return checks; // not JSON (no object body)
    }
    List<JsonNode> references = new ArrayList<>();
    tree.path("metadata").path("ownerReferences").forEach(references::add);
    for (JsonNode op : tree.isArray() ? tree : JSON.createArrayNode()) { // JSON patch
      if (op.path("path").asText().startsWith("/metadata/ownerReferences")) {
        JsonNode value = op.path("value");
        if (value.isArray()) {
          value.forEach(references::add);
        } else {
          references.add(value);
        }
      }
    }
    for (JsonNode reference : references) {
      if (!reference.path("blockOwnerDeletion").asBoolean(false)) {
        continue;
      }
      String apiVersion = reference.path("apiVersion").asText();
      String group = apiVersion.contains("/") ? apiVersion.split("/")[0] : "core";
      String plural = CrdCatalog.PLURALS.get(reference.path("kind").asText());
      assertThat(plural)
          .as("owner kind %s of a blocking owner reference is an ark kind", reference)
          .isNotNull();
      checks.add(new Permission(group, plural + "/finalizers", "update"));
    }
    return checks;
  }

  private static boolean watch(String query) {
    if (query == null) {
      return false;
    }
    return Arrays.stream(query.split("&"))
        .anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
  }

  /**
   * The permissions of every request the operator's client sent; the requests themselves go to
   * {@code target/rbac-requests.txt} (which request needed which permission).
   */
  Set<Permission> observed() throws InterruptedException, IOException {
    return observedByAgent().getOrDefault(USER_AGENT, Set.of());
  }

  /**
   * The permissions of the requests of each User-Agent (the operator's and {@link
   * #ADMISSION_USER_AGENT}'s); the operator's requests go to {@code target/rbac-requests.txt}.
   */
  Map<String, Set<Permission>> observedByAgent() throws InterruptedException, IOException {
    Map<String, Set<Permission>> observed = new TreeMap<>();
    Map<String, Integer> agents = new TreeMap<>();
    List<String> log = new ArrayList<>();
    for (RecordedRequest request : drain()) {
      String agent = String.valueOf(request.getHeader("User-Agent"));
      agents.merge(agent, 1, Integer::sum);
      if (agent.equals(USER_AGENT) || agent.equals(ADMISSION_USER_AGENT)) {
        Optional<Permission> permission = permission(request.getMethod(), request.getPath());
        permission.ifPresent(p -> observed.computeIfAbsent(agent, a -> new TreeSet<>()).add(p));
        log.add(
            agent
                + ": "
                + request.getMethod()
                + " "
                + request.getPath()
                + " -> "
                + permission.map(Permission::toString).orElse("(not a resource)"));
      }
    }
    for (String[] write : WRITES) {
      for (Permission admission : ownerFinalizers(write[0], write[1])) {
        observed.computeIfAbsent(USER_AGENT, a -> new TreeSet<>()).add(admission);
        log.add(write[0] + " " + write[2] + " with a blocking owner reference -> " + admission);
      }
    }
    Files.write(Path.of("target/rbac-requests.txt"), log);
    assertThat(agents).as("requests by User-Agent").containsKey(USER_AGENT);
    return observed;
  }

  /** Every request the mock server received since the last drain; also to discard setup's. */
  List<RecordedRequest> drain() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(200, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
      requests.add(r);
    }
    return requests;
  }

  // ---------------------------------------------------------------------------------------------
  // The contract files

  static void assertExactly(Set<Permission> observed, String file) throws IOException {
    Path path = repoRoot().resolve("deploy/rbac").resolve(file);
    Set<Permission> contract = contract(path);
    Set<Permission> missing = new TreeSet<>(observed);
    missing.removeAll(contract);
    Set<Permission> unused = new TreeSet<>(contract);
    unused.removeAll(observed);
    assertThat(missing)
        .as(
            "used by the operator but not in %s (add them, and a rule in templates/rbac.yaml)",
            path)
        .isEmpty();
    assertThat(unused)
        .as("in %s but never used by the operator (remove them from it and from rbac.yaml)", path)
        .isEmpty();
  }

  /** The lines {@code group resource verb} of a contract file; {@code #} starts a comment. */
  static Set<Permission> contract(Path file) throws IOException {
    Set<Permission> permissions = new TreeSet<>();
    for (String line : Files.readAllLines(file)) {
      String text = line.replaceFirst("#.*", "").trim();
      if (!text.isEmpty()) {
        permissions.add(Permission.parse(text));
      }
    }
    return permissions;
  }

  private static Path repoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("deploy/rbac"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no deploy/rbac above " + Path.of("").toAbsolutePath());
  }
}
