package dev.arkonis.ark.cli;

import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Installs the ark CRDs this build ships into a real cluster when they are missing or differ (an
 * annotation carries the SHA-256 of the shipped YAML, so the server's own defaulting of the stored
 * CRD never looks like a difference), then waits until the API server serves them ({@code
 * Established}). Each install or update is said in one line.
 */
final class CrdInstaller {
  /** Annotation with the SHA-256 of the CRD YAML that was installed. */
  static final String HASH_ANNOTATION = "arkonis.dev/crd-sha256";

  private static final long ESTABLISH_TIMEOUT_SECONDS = 60;

  private CrdInstaller() {}

  /**
   * Makes the cluster serve this build's CRDs.
   *
   * @param say receives one line per CRD installed or updated
   * @return how many CRDs were installed or updated
   */
  static int ensure(KubernetesClient client, Consumer<String> say) {
    List<String> changed = new ArrayList<>();
    for (String kind : CrdCatalog.PLURALS.keySet()) {
      String yaml = read(CrdCatalog.resource(kind));
      CustomResourceDefinition crd =
          client.getKubernetesSerialization().unmarshal(yaml, CustomResourceDefinition.class);
      String name = crd.getMetadata().getName();
      Map<String, String> annotations =
          new HashMap<>(
              crd.getMetadata().getAnnotations() == null
                  ? Map.of()
                  : crd.getMetadata().getAnnotations());
      annotations.put(HASH_ANNOTATION, sha256(yaml));
      crd.getMetadata().setAnnotations(annotations);
      CustomResourceDefinition stored;
      try {
        stored = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 403) {
          requireServed(client, say);
          return 0;
        }
        throw e;
      }
      try {
        if (stored == null) {
          client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
          say.accept("installed CRD " + name);
          changed.add(name);
        } else if (!annotations
            .get(HASH_ANNOTATION)
            .equals(
                stored.getMetadata().getAnnotations() == null
                    ? null
                    : stored.getMetadata().getAnnotations().get(HASH_ANNOTATION))) {
          crd.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion());
          client.apiextensions().v1().customResourceDefinitions().resource(crd).update();
          say.accept("updated CRD " + name + " to this version of ark");
          changed.add(name);
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() == 403) {
          throw new UserError(
              "the ark CRD "
                  + name
                  + (stored == null ? " is not installed" : " is out of date")
                  + " and the kubeconfig's user may not "
                  + (stored == null ? "create" : "update")
                  + " customresourcedefinitions (RBAC): ask a cluster admin to run 'kubectl apply"
                  + " --server-side -f crds/src/main/resources/crds/' (docs/install.md)");
        }
        throw e;
      }
    }
    for (String name : changed) {
      awaitEstablished(client, name);
    }
    return changed.size();
  }

  /** Without read access to CRDs: the ark kinds must at least be served (discovery). */
  private static void requireServed(KubernetesClient client, Consumer<String> say) {
    APIResourceList served = client.getApiResources(ManifestLoader.GROUP + "/v1alpha1");
    Set<String> names =
        served == null
            ? Set.of()
            : served.getResources().stream().map(APIResource::getName).collect(Collectors.toSet());
    List<String> missing =
        CrdCatalog.PLURALS.values().stream().filter(p -> !names.contains(p)).toList();
    if (!missing.isEmpty()) {
      throw new UserError(
          "the cluster does not serve "
              + String.join(", ", missing)
              + "."
              + ManifestLoader.GROUP
              + " and the kubeconfig's user may not read or install CRDs (RBAC): ask a cluster"
              + " admin to run 'kubectl apply --server-side -f crds/src/main/resources/crds/'"
              + " (docs/install.md)");
    }
    say.accept("cannot read CRDs (RBAC); the cluster serves the ark kinds, using them as they are");
  }

  private static void awaitEstablished(KubernetesClient client, String name) {
    try {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(name)
          .waitUntilCondition(
              crd ->
                  crd != null
                      && crd.getStatus() != null
                      && crd.getStatus().getConditions() != null
                      && crd.getStatus().getConditions().stream()
                          .anyMatch(CrdInstaller::established),
              ESTABLISH_TIMEOUT_SECONDS,
              TimeUnit.SECONDS);
    } catch (KubernetesClientException e) {
      throw new UserError(
          "the API server did not serve CRD "
              + name
              + " within "
              + ESTABLISH_TIMEOUT_SECONDS
              + " s ('kubectl describe crd "
              + name
              + "' says why)");
    }
  }

  private static boolean established(CustomResourceDefinitionCondition condition) {
    return "Established".equals(condition.getType()) && "True".equals(condition.getStatus());
  }

  private static String read(String resource) {
    try (InputStream in = CrdInstaller.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CRD missing from the classpath: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
