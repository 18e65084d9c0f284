package dev.arkonis.ark.bridge.admission;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The ValidatingWebhookConfiguration that sends ark objects to the admission webhook.
 *
 * <ul>
 *   <li>In the cluster, the Helm chart creates it (pointing at the operator's Service) and every
 *       replica {@linkplain #patchCaBundle patches its caBundle} with the CA it serves.
 *   <li>Outside (ark dev against a cluster, the tests), {@link #registerUrl} creates or replaces it
 *       pointing at a URL such as {@code https://127.0.0.1:9443/validate}, and {@link #unregister}
 *       deletes it.
 * </ul>
 *
 * The webhook: {@value #WEBHOOK_NAME}, CREATE and UPDATE of every ark kind (not their
 * subresources), {@code admissionReviewVersions: [v1]}, {@code sideEffects: None}, {@code
 * matchPolicy: Equivalent}; the same as {@code deploy/helm/ark/templates/admission.yaml}.
 */
public final class WebhookRegistration {
  /** Name of the one webhook in the configuration. */
  public static final String WEBHOOK_NAME = "validate.arkonis.dev";

  /** Label of every namespace with its name (set by the API server). */
  public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  public WebhookRegistration(KubernetesClient client) {
    this.client = client;
  }

  /**
   * How the API server calls the webhook.
   *
   * @param failurePolicy {@code Fail} (reject when the webhook cannot be reached) or {@code Ignore}
   * @param timeoutSeconds 1–30
   * @param excludedNamespaces namespaces whose objects are not sent (e.g. the operator's own)
   * @param onlyNamespaces when not empty, only objects in these namespaces are sent
   */
  public record Options(
      String failurePolicy,
      int timeoutSeconds,
      List<String> excludedNamespaces,
      List<String> onlyNamespaces) {
    /** Fail, 10 s, every namespace. */
    public static final Options DEFAULT = new Options("Fail", 10, List.of(), List.of());

    public Options {
      if (!failurePolicy.equals("Fail") && !failurePolicy.equals("Ignore")) {
        throw new IllegalArgumentException(
            "failurePolicy must be Fail or Ignore, got " + failurePolicy);
      }
      if (timeoutSeconds < 1 || timeoutSeconds > 30) {
        throw new IllegalArgumentException("timeoutSeconds must be 1–30, got " + timeoutSeconds);
      }
      excludedNamespaces = List.copyOf(excludedNamespaces);
      onlyNamespaces = List.copyOf(onlyNamespaces);
    }
  }

  /**
   * Creates or replaces configuration {@code name} with the webhook at {@code url} (HTTPS, e.g.
   * {@code "https://127.0.0.1:" + server.port() + AdmissionServer.PATH}), trusting {@code caPem}.
   */
  public ValidatingWebhookConfiguration registerUrl(
      String name, String url, String caPem, Options options) {
    if (!url.startsWith("https://")) {
      throw new IllegalArgumentException("an admission webhook URL must be https://, got " + url);
    }
    ValidatingWebhookConfiguration config =
        new ValidatingWebhookConfigurationBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("app.kubernetes.io/managed-by", "ark")
            .endMetadata()
            .withWebhooks(webhook(url, caPem, options))
            .build();
    return client.resource(config).createOr(r -> r.update());
  }

  /** Deletes configuration {@code name}; nothing happens when it does not exist. */
  public void unregister(String name) {
    client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name).delete();
  }

  /**
   * Sets the {@code caBundle} of every webhook of configuration {@code name} to {@code caPem} (one
   * JSON patch, only when one differs).
   *
   * @return whether a patch was sent
   * @throws IllegalStateException when the configuration does not exist
   */
  public boolean patchCaBundle(String name, String caPem) {
    ValidatingWebhookConfiguration config =
        client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name).get();
    if (config == null) {
      throw new IllegalStateException(
          "ValidatingWebhookConfiguration "
              + name
              + " not found; install it with the Helm chart (admission.enabled=true)");
    }
    String bundle = base64(caPem);
    ArrayNode patch = JSON.createArrayNode();
    List<ValidatingWebhook> webhooks = config.getWebhooks();
    for (int i = 0; webhooks != null && i < webhooks.size(); i++) {
      ValidatingWebhook webhook = webhooks.get(i);
      if (Objects.equals(bundle, webhook.getClientConfig().getCaBundle())) {
        continue;
      }
      ObjectNode test = patch.addObject();
      test.put("op", "test");
      test.put("path", "/webhooks/" + i + "/name");
      test.put("value", webhook.getName());
      ObjectNode replace = patch.addObject();
      replace.put("op", "add");
      replace.put("path", "/webhooks/" + i + "/clientConfig/caBundle");
      replace.put("value", bundle);
    }
    if (patch.isEmpty()) {
      return false;
    }
    client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON), patch.toString());
    return true;
  }

  static ValidatingWebhook webhook(String url, String caPem, Options options) {
    ValidatingWebhookBuilder webhook =
        new ValidatingWebhookBuilder()
            .withName(WEBHOOK_NAME)
            .withAdmissionReviewVersions("v1")
            .withSideEffects("None")
            .withFailurePolicy(options.failurePolicy())
            .withTimeoutSeconds(options.timeoutSeconds())
            .withMatchPolicy("Equivalent")
            .withNewClientConfig()
            .withUrl(url)
            .withCaBundle(base64(caPem))
            .endClientConfig()
            .withRules(
                new RuleWithOperationsBuilder()
                    .withApiGroups(AdmissionReviews.GROUP)
                    .withApiVersions("*")
                    .withOperations("CREATE", "UPDATE")
                    .withResources(List.copyOf(new TreeSet<>(CrdCatalog.PLURALS.values())))
                    .withScope("*")
                    .build());
    LabelSelectorBuilder namespaces = new LabelSelectorBuilder();
    if (!options.excludedNamespaces().isEmpty()) {
      namespaces.addToMatchExpressions(
          new LabelSelectorRequirementBuilder()
              .withKey(NAMESPACE_NAME_LABEL)
              .withOperator("NotIn")
              .withValues(options.excludedNamespaces())
              .build());
    }
    if (!options.onlyNamespaces().isEmpty()) {
      namespaces.addToMatchExpressions(
          new LabelSelectorRequirementBuilder()
              .withKey(NAMESPACE_NAME_LABEL)
              .withOperator("In")
              .withValues(options.onlyNamespaces())
              .build());
    }
    return webhook.withNamespaceSelector(namespaces.build()).build();
  }

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
