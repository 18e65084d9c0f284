package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs alone, on a real kube-apiserver with no admission webhook: they install (so their CEL
 * rules fit the API server's cost budget), they accept the examples, and they reject every corpus
 * document marked {@code # cel:} with a message containing the same rule text {@code ark validate}
 * prints, storing nothing. The cluster comes from {@code ARK_TEST_KUBECONFIG} ({@code
 * scripts/test}, or {@code scripts/cluster up}).
 */
class CrdCelIT {
  private static KubernetesClient client;
  private static String namespace;

  @BeforeAll
  static void installCrds() throws IOException {
    String kubeconfig = System.getenv("ARK_TEST_KUBECONFIG");
    if (kubeconfig == null || kubeconfig.isBlank()) {
      fail(
          "ARK_TEST_KUBECONFIG is not set: run the tests with scripts/test, which starts a local"
              + " API server (or run scripts/cluster up and export ARK_TEST_KUBECONFIG=<the path it"
              + " prints>)");
    }
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(Path.of(kubeconfig))))
            .build();
    // the API server estimates each CEL rule's cost here and refuses a CRD over the budget
    CrdCatalog.install(client);
    for (String kind : CrdCatalog.PLURALS.keySet()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(established(crdName(kind))).as("%s established", kind).isTrue();
                assertThat(rules(servedSchema(kind)))
                    .as("%s rules served", kind)
                    .containsExactlyInAnyOrderElementsOf(rules(CrdCatalog.openApiSchema(kind)));
              });
    }
    namespace = "crd-cel-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    for (Path file : celRejectable().toList()) {
      GenericKubernetesResource object = document(file);
      await().atMost(Duration.ofSeconds(30)).until(() -> dryRunRejected(object));
    }
  }

  @AfterAll
  static void deleteNamespace() {
    if (client != null) {
      if (namespace != null) {
        client.namespaces().withName(namespace).delete();
      }
      client.close();
    }
  }

  @Test
  void everyCrdIsInstalledWithAllItsRules() {
    for (String kind : CrdCatalog.PLURALS.keySet()) {
      assertThat(established(crdName(kind))).as(kind).isTrue();
      assertThat(rules(servedSchema(kind)))
          .as(kind)
          .containsExactlyInAnyOrderElementsOf(rules(CrdCatalog.openApiSchema(kind)));
    }
    assertThat(rules(servedSchema("ArkTeam"))).hasSizeGreaterThan(10);
  }

  static Stream<Path> celRejectable() throws IOException {
    return InvalidCorpus.files().stream().filter(f -> InvalidCorpus.celText(f).isPresent());
  }

  @Test
  void theCorpusHasCelRejectableDocumentsOfEveryCelKind() throws IOException {
    List<String> kinds = new ArrayList<>();
    for (Path file : celRejectable().toList()) {
      kinds.add(document(file).getKind());
    }
    assertThat(kinds).contains("ArkTeam", "ArkAgent", "ArkEvent", "ArkMemory");
  }

  @ParameterizedTest
  @MethodSource("celRejectable")
  void theApiServerRejectsWithTheRuleTextOfArkValidate(Path file) throws IOException {
    String ruleText = InvalidCorpus.celText(file).orElseThrow();
    GenericKubernetesResource object = document(file);

    KubernetesClientException refused =
        catchThrowableOfType(
            KubernetesClientException.class, () -> resources(object).resource(object).create());

    assertThat(refused)
        .as("%s was stored; the CRD should reject it", file.getFileName())
        .isNotNull();
    assertThat(refused.getCode()).as(refused.getMessage()).isEqualTo(422);
    assertThat(refused.getStatus().getMessage()).contains(ruleText);
    assertThat(resources(object).withName(object.getMetadata().getName()).get()).isNull();
  }

  @Test
  void theExamplesAreAccepted() throws IOException {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Cli.repoRoot().resolve("examples"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path file : examples) {
      for (GenericKubernetesResource object : documents(file)) {
        if (!object.getApiVersion().startsWith("arkonis.dev/")) {
          continue;
        }
        resources(object).resource(object).dryRun().create();
      }
    }
  }

  @Test
  void anArkRunSpecCannotChangeButItsStatusAndLabelsCan() {
    GenericKubernetesResource run =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
                apiVersion: arkonis.dev/v1alpha1
                kind: ArkRun
                metadata: {name: immutable-run}
                spec:
                  teamRef: {name: blog-team}
                  input: {topic: operators}
                """,
                GenericKubernetesResource.class);
    resources(run).resource(run).create();
    Resource<GenericKubernetesResource> stored = resources(run).withName("immutable-run");

    KubernetesClientException refused =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                stored.edit(
                    r -> {
                      r.setAdditionalProperty(
                          "spec",
                          Map.of(
                              "teamRef",
                              Map.of("name", "blog-team"),
                              "input",
                              Map.of("topic", "x")));
                      return r;
                    }));

    assertThat(refused).isNotNull();
    assertThat(refused.getCode()).isEqualTo(422);
    assertThat(refused.getStatus().getMessage())
        .contains("spec is immutable", "create a new ArkRun instead");
    assertThat(stored.get().getAdditionalProperties().get("spec").toString()).contains("operators");
    stored.edit(
        r -> {
          r.getMetadata().setLabels(Map.of("arkonis.dev/team", "blog-team"));
          return r;
        });
    stored.editStatus(
        r -> {
          r.setAdditionalProperty("status", Map.of("phase", "Running"));
          return r;
        });
    assertThat(stored.get().getAdditionalProperties().get("status").toString()).contains("Running");
  }

  private static NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(GenericKubernetesResource object) {
    return client
        .genericKubernetesResources(object.getApiVersion(), object.getKind())
        .inNamespace(namespace);
  }

  private static GenericKubernetesResource document(Path file) throws IOException {
    List<GenericKubernetesResource> all = documents(file);
    assertThat(all).as("%s holds one object", file).hasSize(1);
    return all.get(0);
  }

  private static List<GenericKubernetesResource> documents(Path file) throws IOException {
    List<GenericKubernetesResource> out = new ArrayList<>();
    for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#"))) {
        GenericKubernetesResource object =
            client.getKubernetesSerialization().unmarshal(doc, GenericKubernetesResource.class);
        object.getMetadata().setNamespace(namespace);
        out.add(object);
      }
    }
    return out;
  }

  private static String crdName(String kind) {
    return CrdCatalog.PLURALS.get(kind) + ".arkonis.dev";
  }

  private static boolean established(String name) {
    CustomResourceDefinition crd =
        client.apiextensions().v1().customResourceDefinitions().withName(name).get();
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  private static JsonNode servedSchema(String kind) {
    CustomResourceDefinition stored =
        client.apiextensions().v1().customResourceDefinitions().withName(crdName(kind)).get();
    JsonNode schema =
        client
            .getKubernetesSerialization()
            .convertValue(stored, JsonNode.class)
            .path("spec")
            .path("versions")
            .path(0)
            .path("schema")
            .path("openAPIV3Schema");
    return schema;
  }

  /** Every CEL rule of a schema with its messages, depth first. */
  private static List<String> rules(JsonNode schema) {
    List<String> out = new ArrayList<>();
    if (!schema.isObject()) {
      return out;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      List<String> fields = new ArrayList<>();
      for (String field : List.of("rule", "message", "messageExpression", "fieldPath")) {
        fields.add(field + "=" + rule.path(field).asText(""));
      }
      out.add(String.join(" | ", fields));
    }
    for (JsonNode child : schema.path("properties")) {
      out.addAll(rules(child));
    }
    out.addAll(rules(schema.path("items")));
    out.addAll(rules(schema.path("additionalProperties")));
    return out;
  }

  /** The rules of a freshly updated CRD apply once the API server has loaded it. */
  private static boolean dryRunRejected(GenericKubernetesResource object) {
    try {
      resources(object).resource(object).dryRun().create();
      return false;
    } catch (KubernetesClientException e) {
      return e.getCode() == 422;
    }
  }
}
