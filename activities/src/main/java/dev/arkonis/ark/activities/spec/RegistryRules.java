package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** ArkRegistry rules beyond the schema, and the ArkAgent {@code capabilities} it indexes. */
final class RegistryRules {
  /** The CRD's CEL rule on {@code spec.scope}, same wording. */
  static final String CLUSTER_SCOPED =
      "cluster-scoped is not supported: a routed task runs on an agent of its ArkRun's namespace;"
          + " use namespace-scoped and put the agents in the registry's namespace";

  private RegistryRules() {}

  static void check(Manifest manifest, JsonNode spec, List<Problem> problems) {
    String scope = spec.path("scope").asText(RegistryIndex.NAMESPACE_SCOPED);
    if (!RegistryIndex.NAMESPACE_SCOPED.equals(scope)) {
      problems.add(manifest.problem("spec.scope", CLUSTER_SCOPED));
    }
  }

  /** Capability ids are unique in an agent (the router answers with one). */
  static void checkCapabilities(Manifest manifest, JsonNode spec, List<Problem> problems) {
    JsonNode capabilities = spec.path("capabilities");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < capabilities.size(); i++) {
      String id = capabilities.get(i).path("id").asText();
      if (!ids.add(id)) {
        problems.add(
            manifest.problem(
                FieldPath.child(FieldPath.index("spec.capabilities", i), "id"),
                "duplicate capability id \"" + id + "\"; ids must be unique in an agent"));
      }
    }
  }
}
