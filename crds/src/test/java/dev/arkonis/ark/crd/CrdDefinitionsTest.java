package dev.arkonis.ark.crd;

import static dev.arkonis.ark.crd.CrdFiles.GROUP;
import static dev.arkonis.ark.crd.CrdFiles.crdFiles;
import static dev.arkonis.ark.crd.CrdFiles.load;
import static dev.arkonis.ark.crd.CrdFiles.loadKind;
import static dev.arkonis.ark.crd.CrdFiles.schema;
import static dev.arkonis.ark.crd.CrdFiles.version;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the hand-written CRDs in {@code src/main/resources/crds} against the rules a real API
 * server and {@code kubectl} apply (structural schema, list maps, CEL messages) and against the
 * resource contract (kinds, names, defaults, rules). Printer columns are in {@link
 * CrdPrinterColumnsTest}, the examples against the generated model in {@link CrdExamplesTest} and
 * the checker itself in {@link SchemaCheckTest}.
 */
class CrdDefinitionsTest {

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
            "ArkNotify",
            "ArkRegistry");
  }

  /** Kinds that only configure others (agents read the ArkSettings they reference). */
  private static final Set<String> CONFIGURATION_ONLY = Set.of("ArkSettings");

  @ParameterizedTest
  @MethodSource("dev.arkonis.ark.crd.CrdFiles#crdFiles")
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
    JSONSchemaProps root = schema(crd);
    assertThat(root.getRequired()).contains("spec");
    if (CONFIGURATION_ONLY.contains(crd.getSpec().getNames().getKind())) {
      // read by others, reconciled by nothing: no status to report
      assertThat(version.getSubresources()).isNull();
      assertThat(root.getProperties()).containsKey("spec").doesNotContainKey("status");
      return;
    }
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(root.getProperties()).containsKeys("spec", "status");
    assertThat(root.getProperties().get("status").getProperties())
        .containsKeys("observedGeneration", "conditions");
  }

  @ParameterizedTest
  @MethodSource("dev.arkonis.ark.crd.CrdFiles#crdFiles")
  void schemaIsStructuralAndEveryFieldIsDescribed(Path file) throws IOException {
    assertThat(SchemaCheck.violations(schema(load(file)))).isEmpty();
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
        .anyMatch(r -> r.contains("has(self.pipeline) || has(self.entry)"))
        .anyMatch(r -> r.contains("self.pipeline.all("));
    assertThat(rules("ArkTeam", "spec.roles[]"))
        .containsExactly(
            "(has(self.model) ? 1 : 0) + (has(self.arkAgent) ? 1 : 0) + (has(self.arkTeam) ? 1 : 0)"
                + " == 1",
            "!has(self.arkTeam) || !(has(self.provider) || has(self.systemPrompt) ||"
                + " has(self.systemPromptRef) || has(self.canDelegate) || has(self.replicas) ||"
                + " has(self.limits) || has(self.mcpServers) || has(self.tools) || has(self.env) ||"
                + " has(self.envFrom) || has(self.resources) || has(self.configRef) ||"
                + " has(self.memoryRef) || has(self.livenessProbe))",
            "!has(self.canDelegate) || !(self.name in self.canDelegate)");
    assertThat(rules("ArkTeam", "spec.roles[].name")).anyMatch(r -> r.contains("matches("));
    assertThat(rules("ArkRun", "spec")).containsExactly("self == oldSelf");
    assertThat(rules("ArkEvent", "spec.source")).hasSize(4);
    assertThat(rules("ArkEvent", "spec.source.cron")).hasSize(1);
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
}
