package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import java.util.List;

/**
 * Kinds and fields the CRDs declare for features ark does not implement yet. They are rejected — by
 * {@code ark validate}, {@code ark run}, {@code ark dev}, the admission webhook and the
 * reconcilers, all through {@link SpecValidator} — never accepted and silently ignored. {@code
 * docs/api-coverage.md} lists them; its test checks that each is rejected.
 */
public final class Unsupported {
  /** The words every rejection starts with. */
  public static final String NOT_SUPPORTED = "not supported yet";

  /**
   * One unsupported kind ({@code path} {@code kind}) or field ({@code []} stands for every list
   * item).
   */
  public record Entry(String kind, String path, String what) {}

  /** Everything rejected, in the order of {@code docs/api-coverage.md}. */
  public static final List<Entry> ENTRIES =
      List.of(
          new Entry(
              "ArkSettings",
              "spec.memoryBackend",
              "memoryBackend (give the agent an ArkMemory with memoryRef instead)"));

  private Unsupported() {}

  /** The message for one unsupported feature. */
  public static String message(String what) {
    return NOT_SUPPORTED + ": " + what + "; see docs/api-coverage.md";
  }

  /** Adds a problem for every unsupported kind or field the manifest uses. */
  static void check(Manifest manifest, List<Problem> problems) {
    for (Entry entry : ENTRIES) {
      if (!entry.kind().equals(manifest.kind())) {
        continue;
      }
      if (entry.path().equals("kind")) {
        problems.add(manifest.problem("kind", message(entry.what())));
        continue;
      }
      find(manifest, manifest.tree(), "", entry.path(), entry.what(), problems);
    }
  }

  /**
   * The first unsupported field of a referenced object's {@code spec} as {@code <path>: <message>},
   * or null (e.g. the ArkAgent behind a team's {@code arkAgent} role, read from the cluster).
   */
  static String firstIn(String kind, JsonNode spec) {
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    tree.put("kind", kind);
    tree.set("spec", spec);
    List<Problem> problems = new java.util.ArrayList<>();
    check(Manifest.of(tree), problems);
    return problems.isEmpty() ? null : problems.get(0).field() + ": " + problems.get(0).message();
  }

  /** Walks {@code rest} (a dotted path with {@code []}) from {@code node}, reporting each use. */
  private static void find(
      Manifest manifest,
      JsonNode node,
      String at,
      String rest,
      String what,
      List<Problem> problems) {
    int dot = rest.indexOf('.');
    String head = dot < 0 ? rest : rest.substring(0, dot);
    String tail = dot < 0 ? "" : rest.substring(dot + 1);
    boolean each = head.endsWith("[]");
    String field = each ? head.substring(0, head.length() - 2) : head;
    JsonNode child = node.path(field);
    String path = at.isEmpty() ? field : FieldPath.child(at, field);
    if (child.isMissingNode() || child.isNull()) {
      return;
    }
    if (!each) {
      if (tail.isEmpty()) {
        problems.add(manifest.problem(path, message(what)));
      } else {
        find(manifest, child, path, tail, what, problems);
      }
      return;
    }
    for (int i = 0; i < child.size(); i++) {
      String item = FieldPath.index(path, i);
      if (tail.isEmpty()) {
        problems.add(manifest.problem(item, message(what)));
      } else {
        find(manifest, child.get(i), item, tail, what, problems);
      }
    }
  }
}
