package dev.arkonis.ark.crd;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Loads the hand-written CRDs in {@code src/main/resources/crds} for the CRD tests. */
final class CrdFiles {

  private static final Path CRD_DIR = Path.of("src/main/resources/crds");
  static final String GROUP = "arkonis.dev";

  private CrdFiles() {}

  static Stream<Path> crdFiles() throws IOException {
    try (Stream<Path> files = Files.list(CRD_DIR)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  static CustomResourceDefinition load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
  }

  static CustomResourceDefinition loadKind(String kind) throws IOException {
    for (Path file : crdFiles().toList()) {
      CustomResourceDefinition crd = load(file);
      if (crd.getSpec().getNames().getKind().equals(kind)) {
        return crd;
      }
    }
    throw new AssertionError("no CRD for kind " + kind);
  }

  static CustomResourceDefinitionVersion version(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0);
  }

  static JSONSchemaProps schema(CustomResourceDefinition crd) {
    return version(crd).getSchema().getOpenAPIV3Schema();
  }
}
