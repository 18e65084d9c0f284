package dev.arkonis.ark.cli;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks {@code ark dev --kubeconfig} makes before it starts the operator, each failing with a
 * one-line {@link UserError}: the kubeconfig can be read, the API server answers and accepts its
 * credentials, and the user holds every permission of the operator's RBAC contract ({@code
 * deploy/rbac/contract.txt}, on the classpath as {@code rbac/contract.txt}) in the namespace.
 */
final class ClusterAccess {
  /** The operator's RBAC contract, one {@code <group> <resource>[/<sub>] <verb>} a line. */
  static final String CONTRACT = "rbac/contract.txt";

  private ClusterAccess() {}

  /** A client for the current context of {@code kubeconfig}. */
  static KubernetesClient open(Path kubeconfig) {
    return new KubernetesClientBuilder().withConfig(config(kubeconfig)).build();
  }

  static Config config(Path kubeconfig) {
    if (!Files.isRegularFile(kubeconfig)) {
      throw new UserError("kubeconfig " + kubeconfig + " not found: give the path of a kubeconfig");
    }
    Config config;
    try {
      config = Config.fromKubeconfig(kubeconfig.toFile());
    } catch (RuntimeException e) {
      throw new UserError(
          "cannot read kubeconfig "
              + kubeconfig
              + ": "
              + rootMessage(e)
              + " (check it with 'kubectl --kubeconfig "
              + kubeconfig
              + " config view')");
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
      throw new UserError(
          "kubeconfig " + kubeconfig + " has no current context with a cluster server URL");
    }
    return config;
  }

  /**
   * Asks the API server for its version with a client that does not retry: an unreachable server or
   * rejected credentials fail at once, with the server URL and what to do.
   *
   * @return the server's version, e.g. {@code v1.34.4}
   */
  static String checkReachable(Path kubeconfig) {
    Config config =
        new ConfigBuilder(config(kubeconfig))
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout(5_000)
            .withRequestTimeout(10_000)
            .build();
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(config).build()) {
      return probe.getKubernetesVersion().getGitVersion();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401) {
        throw new UserError(
            "the Kubernetes API at "
                + config.getMasterUrl()
                + " rejected the credentials of kubeconfig "
                + kubeconfig
                + " (401 Unauthorized): renew the token or certificate");
      }
      throw new UserError(
          "cannot reach the Kubernetes API at "
              + config.getMasterUrl()
              + " (kubeconfig "
              + kubeconfig
              + "): "
              + rootMessage(e)
              + "; is the cluster up?");
    }
  }

  /**
   * Checks with SelfSubjectAccessReviews that the kubeconfig's user holds every permission the
   * operator uses in {@code namespace}; the first missing ones are named in one line.
   */
  static void checkPermissions(KubernetesClient client, String namespace) {
    List<String> missing = new ArrayList<>();
    for (String[] rule : contract()) {
      String group = rule[0].equals("core") ? "" : rule[0];
      String[] resource = rule[1].split("/", 2);
      SelfSubjectAccessReview review =
          new SelfSubjectAccessReviewBuilder()
              .withNewSpec()
              .withNewResourceAttributes()
              .withNamespace(namespace)
              .withGroup(group)
              .withResource(resource[0])
              .withSubresource(resource.length > 1 ? resource[1] : null)
              .withVerb(rule[2])
              .endResourceAttributes()
              .endSpec()
              .build();
      SelfSubjectAccessReview answer =
          client.authorization().v1().selfSubjectAccessReview().create(review);
      if (answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
        missing.add(rule[2] + " " + rule[1] + (group.isEmpty() ? "" : "." + group));
      }
    }
    if (!missing.isEmpty()) {
      throw new UserError(
          "the kubeconfig's user may not "
              + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
              + (missing.size() > 5 ? " (and " + (missing.size() - 5) + " more)" : "")
              + " in namespace "
              + namespace
              + " (RBAC); ark dev runs the operator with your credentials: grant the rules of the"
              + " Helm chart's operator role (deploy/rbac/contract.txt) in that namespace");
    }
  }

  /** The lines of the RBAC contract as {group, resource[/sub], verb}. */
  static List<String[]> contract() {
    InputStream in = ClusterAccess.class.getClassLoader().getResourceAsStream(CONTRACT);
    if (in == null) {
      throw new IllegalStateException(CONTRACT + " is missing from the classpath");
    }
    List<String[]> rules = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String rule = line.strip();
        if (!rule.isEmpty() && !rule.startsWith("#")) {
          rules.add(rule.split("\\s+"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rules;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
