package dev.arkonis.ark.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.function.Supplier;

/** The Kubernetes client of the cluster commands: the current kubeconfig context. */
final class Kube {
  /** Replaced by tests to talk to a mock API server. */
  static Supplier<KubernetesClient> factory = () -> new KubernetesClientBuilder().build();

  private Kube() {}

  static KubernetesClient client() {
    return factory.get();
  }

  /** The namespace flag, else the kubeconfig's current namespace, else {@code default}. */
  static String namespace(KubernetesClient client, String flag) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    String ns = client.getNamespace();
    return ns == null || ns.isBlank() ? "default" : ns;
  }
}
