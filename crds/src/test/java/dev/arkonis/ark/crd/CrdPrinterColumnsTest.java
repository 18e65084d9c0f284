package dev.arkonis.ark.crd;

import static dev.arkonis.ark.crd.CrdFiles.load;
import static dev.arkonis.ark.crd.CrdFiles.loadKind;
import static dev.arkonis.ark.crd.CrdFiles.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code kubectl get} columns of the CRDs: valid, and the documented ones on the main kinds.
 */
class CrdPrinterColumnsTest {

  @ParameterizedTest
  @MethodSource("dev.arkonis.ark.crd.CrdFiles#crdFiles")
  void printerColumnsPointAtFieldsOfTheSchema(Path file) throws IOException {
    CustomResourceDefinition crd = load(file);
    assertThat(SchemaCheck.columnViolations(version(crd))).isEmpty();
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
}
