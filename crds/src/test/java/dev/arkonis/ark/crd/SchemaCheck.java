package dev.arkonis.ark.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Structural-schema and printer-column checks; returns human-readable violations. */
final class SchemaCheck {

  private static final String ROOT = "<root>";
  private static final Set<String> COLUMN_TYPES =
      Set.of("integer", "number", "string", "boolean", "date");

  private SchemaCheck() {}

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
