package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The chart in {@code deploy/helm/ark} as the chart tests ({@link HelmChartTest}, {@link
 * RbacContractTest}) see it: rendered with {@link ChartRenderer} for release {@value #RELEASE} in
 * namespace {@value #NAMESPACE}, parsed into Kubernetes objects.
 */
final class ChartFixture {

  static final String RELEASE = "ark";
  static final String NAMESPACE = "ark-system";
  static final String NAMESPACED_VALUES = "/helm/namespaced-values.yaml";

  static final KubernetesSerialization KUBE = new KubernetesSerialization();

  private ChartFixture() {}

  static Path chartDir() {
    return Cli.repoRoot().resolve("deploy/helm/ark");
  }

  static List<String> render(Map<String, Object> values) throws IOException {
    return new ChartRenderer(chartDir()).render(RELEASE, NAMESPACE, values);
  }

  /** The values of {@value #NAMESPACED_VALUES}: watchNamespace, TLS, an existing account, ... */
  static Map<String, Object> namespacedValues() throws IOException {
    return ChartRenderer.yamlMap(Files.readString(resource(NAMESPACED_VALUES)));
  }

  static Path resource(String name) {
    try {
      return Path.of(ChartFixture.class.getResource(name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException("test resource " + name, e);
    }
  }

  /** Each document as a Kubernetes object with an apiVersion and a name. */
  static List<HasMetadata> parse(List<String> documents) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : documents) {
      Object parsed = KUBE.unmarshal(document);
      assertThat(parsed).as(document).isInstanceOf(HasMetadata.class);
      HasMetadata object = (HasMetadata) parsed;
      assertThat(object.getApiVersion()).as(document).isNotBlank();
      assertThat(object.getMetadata().getName()).as(document).isNotBlank();
      objects.add(object);
    }
    return objects;
  }

  /** Each document of a multi-document YAML text as a Kubernetes object. */
  static List<HasMetadata> parse(String multiDocument) {
    return parse(split(multiDocument));
  }

  /** The documents of a multi-document YAML text that hold more than comments. */
  static List<String> split(String multiDocument) {
    List<String> documents = new ArrayList<>();
    for (String document : multiDocument.split("(?m)^---[ \\t]*$")) {
      if (document.lines().map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"))) {
        documents.add(document);
      }
    }
    return documents;
  }

  static <T> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(matching).as(type.getSimpleName()).hasSize(1);
    return matching.get(0);
  }

  /** The {@code *.yaml} file names in a directory, sorted. */
  static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
