package dev.arkonis.ark.crd.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The ark CRDs shipped on the classpath under {@code crds/}, by kind. */
public final class CrdCatalog {
  /** Kind → plural resource name. */
  public static final Map<String, String> PLURALS = plurals();

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private CrdCatalog() {}

  private static Map<String, String> plurals() {
    Map<String, String> plurals = new LinkedHashMap<>();
    plurals.put("ArkAgent", "arkagents");
    plurals.put("ArkTeam", "arkteams");
    plurals.put("ArkRun", "arkruns");
    plurals.put("ArkEvent", "arkevents");
    plurals.put("ArkService", "arkservices");
    plurals.put("ArkSettings", "arksettings");
    plurals.put("ArkMemory", "arkmemories");
    plurals.put("ArkNotify", "arknotifies");
    plurals.put("ArkRegistry", "arkregistries");
    return Map.copyOf(plurals);
  }

  /** Classpath resource of a kind's CRD YAML, e.g. {@code crds/arkteams.arkonis.dev.yaml}. */
  public static String resource(String kind) {
    String plural = PLURALS.get(kind);
    if (plural == null) {
      throw new IllegalArgumentException("not an ark kind: " + kind);
    }
    return "crds/" + plural + "." + ManifestLoader.GROUP + ".yaml";
  }

  /** The CRD document of a kind as a JSON tree. */
  public static JsonNode crd(String kind) {
    String resource = resource(kind);
    try (InputStream in = open(resource)) {
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates every ark CRD in the cluster of {@code client}, or updates it when it exists (the dev
   * runtime's in-process API server, mock API servers in tests).
   */
  public static void install(KubernetesClient client) {
    for (String kind : PLURALS.keySet()) {
      try (InputStream in = open(resource(kind))) {
        client
            .resource(
                client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
            .createOr(r -> r.update());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static InputStream open(String resource) {
    InputStream in = CrdCatalog.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("CRD missing from the classpath: " + resource);
    }
    return in;
  }

  /** The {@code openAPIV3Schema} of a kind's only version. */
  public static JsonNode openApiSchema(String kind) {
    return crd(kind).path("spec").path("versions").path(0).path("schema").path("openAPIV3Schema");
  }
}
