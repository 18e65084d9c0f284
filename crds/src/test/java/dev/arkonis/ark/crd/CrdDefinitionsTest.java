package dev.arkonis.ark.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import dev.arkonis.ark.crd.v1alpha1.ArkService;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the hand-written CRDs in {@code src/main/resources/crds} against the rules a real API
 * server and {@code kubectl} apply (structural schema, printer columns, list maps, CEL messages)
 * and against the resource contract (kinds, columns, defaults).
 */
class CrdDefinitionsTest {

  private static final Path CRD_DIR = Path.of("src/main/resources/crds");
  private static final Path EXAMPLES_DIR = Path.of("../examples");
  private static final String GROUP = "arkonis.dev";
  private static final Set<String> COLUMN_TYPES =
      Set.of("integer", "number", "string", "boolean", "date");

  static Stream<Path> crdFiles() throws IOException {
    try (Stream<Path> files = Files.list(CRD_DIR)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  private static CustomResourceDefinition load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
  }

  private static CustomResourceDefinition loadKind(String kind) throws IOException {
    for (Path file : crdFiles().toList()) {
      CustomResourceDefinition crd = load(file);
      if (crd.getSpec().getNames().getKind().equals(kind)) {
        return crd;
      }
    }
    throw new AssertionError("no CRD for kind " + kind);
  }

  private static CustomResourceDefinitionVersion version(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0);
  }

  private static JSONSchemaProps schema(CustomResourceDefinition crd) {
    return version(crd).getSchema().getOpenAPIV3Schema();
  }

  @Test
  void everyKindHasExactlyOneCrdNamedAfterItsPlural() throws IOException {
    Map<String, String> kindToFile = new HashMap<>();
    for (Path file : crdFiles().toList()) {
      CustomResourceDefinition crd = load(file);
      String plural = crd.getSpec().getNames().getPlural();
      assertThat(file.getFileName()).hasToString(plural + "." + GROUP + ".yaml");
      assertThat(crd.getMetadata().getName()).isEqualTo(plural + "." + GROUP);
      assertThat(kindToFile.put(crd.getSpec().getNames().getKind(), file.toString())).isNull();
    }
    assertThat(kindToFile)
        .containsOnlyKeys(
            "ArkAgent",
            "ArkTeam",
            "ArkRun",
            "ArkEvent",
            "ArkService",
            "ArkSettings",
            "ArkMemory",
            "ArkNotify");
  }

  @ParameterizedTest
  @MethodSource("crdFiles")
  void followsTheProjectConventions(Path file) throws IOException {
    CustomResourceDefinition crd = load(file);
    assertThat(crd.getApiVersion()).isEqualTo("apiextensions.k8s.io/v1");
    assertThat(crd.getSpec().getGroup()).isEqualTo(GROUP);
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getCategories()).containsExactly("ark");
    assertThat(crd.getSpec().getNames().getShortNames()).isNotEmpty();
    assertThat(crd.getSpec().getNames().getListKind())
        .isEqualTo(crd.getSpec().getNames().getKind() + "List");
    assertThat(crd.getSpec().getVersions()).hasSize(1);
    CustomResourceDefinitionVersion version = version(crd);
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getServed()).isTrue();
    assertThat(version.getStorage()).isTrue();
    assertThat(version.getSubresources().getStatus()).isNotNull();
    JSONSchemaProps root = schema(crd);
    assertThat(root.getRequired()).contains("spec");
    assertThat(root.getProperties()).containsKeys("spec", "status");
    assertThat(root.getProperties().get("status").getProperties())
        .containsKeys("observedGeneration", "conditions");
  }

  @ParameterizedTest
  @MethodSource("crdFiles")
  void schemaIsStructuralAndEveryFieldIsDescribed(Path file) throws IOException {
    assertThat(SchemaCheck.violations(schema(load(file)))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("crdFiles")
  void printerColumnsPointAtFieldsOfTheSchema(Path file) throws IOException {
    CustomResourceDefinition crd = load(file);
    assertThat(SchemaCheck.columnViolations(version(crd))).isEmpty();
  }

  @Test
  void shortNamesAreUniqueAndDoNotShadowCoreResources() throws IOException {
    Set<String> core =
        Set.of(
            "po", "svc", "deploy", "rs", "ds", "sts", "cm", "ns", "no", "pv", "pvc", "sa", "ep",
            "ev", "ing", "hpa", "pdb", "rc", "cs", "crd", "csr", "pc", "sc", "netpol", "quota",
            "limits", "cj", "job", "all");
    List<String> shortNames = new ArrayList<>();
    for (Path file : crdFiles().toList()) {
      shortNames.addAll(load(file).getSpec().getNames().getShortNames());
    }
    assertThat(shortNames).doesNotHaveDuplicates().doesNotContainAnyElementsOf(core);
  }

  @Test
  void mainKindsShowTheDocumentedColumns() throws IOException {
    assertThat(columns("ArkAgent"))
        .containsExactly(
            "Model=.spec.model",
            "Replicas=.spec.replicas",
            "Ready=.status.readyReplicas",
            "Age=.metadata.creationTimestamp");
    assertThat(columns("ArkTeam"))
        .containsExactly(
            "Phase=.status.phase",
            "Entry=.spec.entry",
            "Last Run=.status.lastRun.name",
            "Age=.metadata.creationTimestamp");
    assertThat(columns("ArkRun"))
        .containsExactly(
            "Team=.spec.teamRef.name",
            "Phase=.status.phase",
            "Tokens=.status.totalTokenUsage.totalTokens",
            "Age=.metadata.creationTimestamp");
    assertThat(columns("ArkEvent"))
        .containsExactly(
            "Source=.spec.source.type",
            "Schedule=.spec.source.cron",
            "Last Fired=.status.lastFiredAt",
            "Age=.metadata.creationTimestamp");
  }

  private static List<String> columns(String kind) throws IOException {
    return version(loadKind(kind)).getAdditionalPrinterColumns().stream()
        .map(c -> c.getName() + "=" + c.getJsonPath())
        .toList();
  }

  @Test
  void arkAgentCanBeScaledLikeADeployment() throws IOException {
    CustomResourceDefinition crd = loadKind("ArkAgent");
    var scale = version(crd).getSubresources().getScale();
    assertThat(scale.getSpecReplicasPath()).isEqualTo(".spec.replicas");
    assertThat(scale.getStatusReplicasPath()).isEqualTo(".status.replicas");
    assertThat(scale.getLabelSelectorPath()).isEqualTo(".status.selector");
    assertThat(SchemaCheck.resolve(schema(crd), scale.getLabelSelectorPath())).isNotNull();
    assertThat(SchemaCheck.at(schema(crd), "spec").getRequired()).contains("model");
  }

  @Test
  void documentedDefaultsAreInTheSchema() throws IOException {
    assertThat(defaultOf("ArkAgent", "spec.replicas")).isEqualTo("1");
    assertThat(defaultOf("ArkTeam", "spec.maxDelegationDepth")).isEqualTo("3");
    assertThat(defaultOf("ArkTeam", "spec.successfulRunsHistoryLimit")).isEqualTo("10");
    assertThat(defaultOf("ArkTeam", "spec.failedRunsHistoryLimit")).isEqualTo("10");
    assertThat(defaultOf("ArkTeam", "spec.pipeline[].validate.onFailure")).isEqualTo("fail");
    assertThat(defaultOf("ArkEvent", "spec.concurrencyPolicy")).isEqualTo("Allow");
    assertThat(defaultOf("ArkEvent", "spec.source.timezone")).isEqualTo("UTC");
    assertThat(defaultOf("ArkEvent", "spec.source.teamOutput.onPhase")).isEqualTo("Succeeded");
    assertThat(defaultOf("ArkService", "spec.routing.strategy")).isEqualTo("round-robin");
  }

  private static String defaultOf(String kind, String path) throws IOException {
    JsonNode value = SchemaCheck.at(schema(loadKind(kind)), path).getDefault();
    assertThat(value).as("default of %s %s", kind, path).isNotNull();
    return value.asText();
  }

  @Test
  void crossFieldRulesAreEnforcedWithCel() throws IOException {
    assertThat(rules("ArkTeam", "spec"))
        .anyMatch(r -> r.contains("self.entry"))
        .anyMatch(r -> r.contains("has(self.pipeline) || has(self.entry) || has(self.routing)"))
        .anyMatch(r -> r.contains("self.pipeline.all("));
    assertThat(rules("ArkTeam", "spec.roles[]"))
        .containsExactly("has(self.model) != has(self.arkAgent)");
    assertThat(rules("ArkRun", "spec.teamRef")).containsExactly("self == oldSelf");
    assertThat(rules("ArkEvent", "spec.source")).hasSize(2);
    assertThat(rules("ArkMemory", "spec")).hasSize(2);
    assertThat(rules("ArkNotify", "spec.channel")).hasSize(2);
    assertThat(SchemaCheck.at(schema(loadKind("ArkRun")), "spec").getRequired())
        .contains("teamRef");
  }

  private static List<String> rules(String kind, String path) throws IOException {
    List<ValidationRule> rules =
        SchemaCheck.at(schema(loadKind(kind)), path).getXKubernetesValidations();
    return rules == null ? List.of() : rules.stream().map(ValidationRule::getRule).toList();
  }

  @Test
  void aBrokenCrdIsReported() {
    CustomResourceDefinition broken =
        Serialization.unmarshal(
            """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: arkbrokens.arkonis.dev}
            spec:
              group: arkonis.dev
              names: {kind: ArkBroken, plural: arkbrokens}
              scope: Namespaced
              versions:
              - name: v1alpha1
                served: true
                storage: true
                additionalPrinterColumns:
                - {name: Model, type: string, jsonPath: .spec.modle}
                - {name: Odd, type: text, jsonPath: .spec.model}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      metadata: {type: object, description: not allowed here}
                      spec:
                        description: Spec.
                        type: object
                        properties:
                          model: {type: string}
                          untyped: {description: No type.}
                          both:
                            description: Properties and additionalProperties.
                            type: object
                            properties: {a: {type: string, description: A.}}
                            additionalProperties: {type: string}
                          items:
                            description: List map keyed by an optional field.
                            type: array
                            x-kubernetes-list-type: map
                            x-kubernetes-list-map-keys: [name]
                            x-kubernetes-validations:
                            - rule: self.size() > 0
                            items:
                              type: object
                              properties:
                                name: {type: string, description: Name.}
            """,
            CustomResourceDefinition.class);

    assertThat(SchemaCheck.violations(schema(broken)))
        .anySatisfy(v -> assertThat(v).startsWith("metadata:"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.model: no description"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.untyped: no type"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.both: both properties"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.items: list-map key name"))
        .anySatisfy(v -> assertThat(v).startsWith("spec.items: CEL rule without message"));
    assertThat(SchemaCheck.columnViolations(version(broken)))
        .anySatisfy(v -> assertThat(v).contains(".spec.modle"))
        .anySatisfy(v -> assertThat(v).contains("type text"));
  }

  @Test
  void examplesParseIntoTheGeneratedModelWithoutUnknownFields() throws IOException {
    Map<String, Class<? extends HasMetadata>> kinds =
        Map.of(
            "ArkAgent", ArkAgent.class,
            "ArkTeam", ArkTeam.class,
            "ArkEvent", ArkEvent.class,
            "ArkService", ArkService.class,
            "ArkSettings", ArkSettings.class,
            "ArkMemory", ArkMemory.class);
    Map<String, HasMetadata> byName = new HashMap<>();
    for (String file : List.of("research-team.yaml", "primitives.yaml")) {
      String text = Files.readString(EXAMPLES_DIR.resolve(file), StandardCharsets.UTF_8);
      for (String doc : text.split("(?m)^---\\s*$")) {
        JsonNode node = Serialization.unmarshal(doc, JsonNode.class);
        Class<? extends HasMetadata> type = kinds.get(node.get("kind").asText());
        assertThat(type).as("kind in %s", file).isNotNull();
        HasMetadata resource = Serialization.unmarshal(doc, type);
        assertThat(unknownFields(resource, "")).as("unknown fields in %s", file).isEmpty();
        byName.put(resource.getKind() + "/" + resource.getMetadata().getName(), resource);
      }
    }
    assertThat(byName)
        .containsOnlyKeys(
            "ArkTeam/research-team",
            "ArkAgent/research-agent",
            "ArkService/research-service",
            "ArkSettings/research-settings",
            "ArkMemory/research-memory",
            "ArkEvent/daily-briefing");

    ArkTeam team = (ArkTeam) byName.get("ArkTeam/research-team");
    assertThat(team.getSpec().getEntry()).isEqualTo("coordinator");
    assertThat(team.getSpec().getRoles())
        .extracting(r -> r.getName() + ":" + r.getModel())
        .containsExactly("coordinator:llama3.2", "researcher:llama3.2", "writer:llama3.2:1b");
    assertThat(team.getSpec().getRoles().get(0).getCanDelegate())
        .containsExactly("researcher", "writer");
    assertThat(team.getSpec().getInputs())
        .singleElement()
        .satisfies(i -> assertThat(i.getName() + ":" + i.getRequired()).isEqualTo("task:true"));

    ArkAgent agent = (ArkAgent) byName.get("ArkAgent/research-agent");
    assertThat(agent.getSpec().getReplicas()).isEqualTo(5);
    assertThat(agent.getSpec().getModel()).isEqualTo("llama3.2");
    assertThat(agent.getSpec().getMcpServers()).extracting(s -> s.getName()).contains("web-search");

    ArkEvent event = (ArkEvent) byName.get("ArkEvent/daily-briefing");
    assertThat(event.getSpec().getSource().getCron()).isEqualTo("0 9 * * 1-5");
    assertThat(event.getSpec().getTargets()).extracting(t -> t.getTeam()).contains("research-team");
  }

  /** Paths of values the generated model did not recognise (kept in additionalProperties). */
  private static List<String> unknownFields(Object value, String path) {
    List<String> found = new ArrayList<>();
    collectUnknown(value, path, found, new IdentityHashMap<>());
    return found;
  }

  private static void collectUnknown(
      Object value, String path, List<String> found, Map<Object, Boolean> seen) {
    if (value == null || seen.put(value, Boolean.TRUE) != null) {
      return;
    }
    if (value instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        collectUnknown(item, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (!value.getClass().getPackageName().startsWith("dev.arkonis.ark.crd")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          found.add(path + " " + extra.keySet());
        }
      } else {
        collectUnknown(child, path + "." + getter.getName().substring(3), found, seen);
      }
    }
  }

  /** Structural-schema and printer-column checks; returns human-readable violations. */
  static final class SchemaCheck {

    private static final String ROOT = "<root>";

    static List<String> violations(JSONSchemaProps root) {
      List<String> out = new ArrayList<>();
      if (!"object".equals(root.getType())) {
        out.add("<root>: type must be object");
      }
      Map<String, JSONSchemaProps> props = props(root);
      JSONSchemaProps metadata = props.get("metadata");
      if (metadata != null
          && !(metadata.getDescription() == null
              && props(metadata).isEmpty()
              && "object".equals(metadata.getType()))) {
        out.add("metadata: the root metadata node may only say type: object");
      }
      node(ROOT, root, out);
      return out;
    }

    private static void property(String path, JSONSchemaProps node, List<String> out) {
      if (node.getDescription() == null || node.getDescription().isBlank()) {
        out.add(path + ": no description");
      }
      node(path, node, out);
    }

    private static void node(String path, JSONSchemaProps node, List<String> out) {
      boolean typed =
          (node.getType() != null && !node.getType().isBlank())
              || Boolean.TRUE.equals(node.getXKubernetesIntOrString())
              || Boolean.TRUE.equals(node.getXKubernetesPreserveUnknownFields());
      if (!typed) {
        out.add(path + ": no type (nor int-or-string / preserve-unknown-fields)");
      }
      Map<String, JSONSchemaProps> props = props(node);
      if (!props.isEmpty() && node.getAdditionalProperties() != null) {
        out.add(path + ": both properties and additionalProperties");
      }
      if (node.getRequired() != null) {
        for (String required : node.getRequired()) {
          if (!props.containsKey(required)) {
            out.add(path + ": required field " + required + " is not a property");
          }
        }
      }
      if (node.getXKubernetesValidations() != null) {
        for (ValidationRule rule : node.getXKubernetesValidations()) {
          if (rule.getRule() == null || rule.getRule().isBlank()) {
            out.add(path + ": empty CEL rule");
          }
          if (rule.getMessage() == null || rule.getMessage().isBlank()) {
            out.add(path + ": CEL rule without message: " + rule.getRule());
          }
        }
      }
      if ("array".equals(node.getType())) {
        if (node.getItems() == null || node.getItems().getSchema() == null) {
          out.add(path + ": array without items schema");
        } else {
          node(path + "[]", node.getItems().getSchema(), out);
        }
      }
      if ("map".equals(node.getXKubernetesListType())) {
        JSONSchemaProps item = node.getItems() == null ? null : node.getItems().getSchema();
        List<String> keys = node.getXKubernetesListMapKeys();
        if (item == null || keys == null || keys.isEmpty()) {
          out.add(path + ": list-map without item schema or keys");
        } else {
          for (String key : keys) {
            JSONSchemaProps keyProp = props(item).get(key);
            boolean requiredOrDefaulted =
                (item.getRequired() != null && item.getRequired().contains(key))
                    || (keyProp != null && keyProp.getDefault() != null);
            if (keyProp == null || !requiredOrDefaulted) {
              out.add(path + ": list-map key " + key + " must be a required or defaulted field");
            }
          }
        }
      }
      if (node.getAdditionalProperties() != null
          && node.getAdditionalProperties().getSchema() != null) {
        node(path + "{}", node.getAdditionalProperties().getSchema(), out);
      }
      props.forEach(
          (name, child) -> {
            // The root metadata node is checked in violations(): the API server forbids a
            // description.
            if (!(path.equals(ROOT) && name.equals("metadata"))) {
              property(path.equals(ROOT) ? name : path + "." + name, child, out);
            }
          });
    }

    static List<String> columnViolations(CustomResourceDefinitionVersion version) {
      List<String> out = new ArrayList<>();
      JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
      List<CustomResourceColumnDefinition> columns =
          version.getAdditionalPrinterColumns() == null
              ? List.of()
              : version.getAdditionalPrinterColumns();
      for (CustomResourceColumnDefinition column : columns) {
        String path = column.getJsonPath();
        if (column.getName() == null || column.getName().isBlank()) {
          out.add("column with no name: " + path);
        }
        if (!COLUMN_TYPES.contains(column.getType())) {
          out.add("column " + column.getName() + " has type " + column.getType());
        }
        if (path == null || !(path.startsWith(".metadata.") || resolve(root, path) != null)) {
          out.add("column " + column.getName() + " points at a missing field: " + path);
        }
      }
      Set<String> names =
          columns.stream().map(CustomResourceColumnDefinition::getName).collect(Collectors.toSet());
      if (names.size() != columns.size()) {
        out.add("duplicate column names");
      }
      return out;
    }

    /** Schema node of a simple JSONPath such as {@code .status.lastRun.name}, or null. */
    static JSONSchemaProps resolve(JSONSchemaProps root, String jsonPath) {
      if (!jsonPath.matches("(\\.[A-Za-z0-9_]+)+")) {
        return null;
      }
      JSONSchemaProps node = root;
      for (String part : jsonPath.substring(1).split("\\.")) {
        node = props(node).get(part);
        if (node == null) {
          return null;
        }
      }
      return node;
    }

    /** Schema node at a dotted path where {@code name[]} steps into array items. */
    static JSONSchemaProps at(JSONSchemaProps root, String path) {
      JSONSchemaProps node = root;
      for (String part : path.split("\\.")) {
        boolean items = part.endsWith("[]");
        node = props(node).get(items ? part.substring(0, part.length() - 2) : part);
        assertThat(node).as("schema path %s", path).isNotNull();
        if (items) {
          node = node.getItems().getSchema();
        }
      }
      return node;
    }

    private static Map<String, JSONSchemaProps> props(JSONSchemaProps node) {
      return node.getProperties() == null ? Map.of() : node.getProperties();
    }
  }
}
