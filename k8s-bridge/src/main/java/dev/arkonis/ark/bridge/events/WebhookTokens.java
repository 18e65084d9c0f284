package dev.arkonis.ark.bridge.events;

import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The webhook token of an ArkEvent: Secret {@code <event>-token}, key {@code token}, 32 random
 * bytes as base64url, owned by the event (deleted with it). When there is no {@code <event>-token}
 * but upstream's {@code <event>-webhook-token} holds key {@code token}, that one is the token and
 * none is made ({@code <event>-token} wins when both exist). An existing Secret of that name is
 * kept as it is — the user's own token, or ours (deleting it rotates the token: a new one is made
 * at the event's next reconcile). Every token Secret carries the label {@code
 * arkonis.dev/event=<event>} (added to a user's own Secret), which the webhook server's informer
 * selects. The token is never logged nor written anywhere else.
 */
final class WebhookTokens {
  static final String KEY = "token";

  /** The label the webhook server's Secret informer selects: {@code arkonis.dev/event=<event>}. */
  static final String EVENT_LABEL = EventActivitiesImpl.EVENT_LABEL;

  static final String SUFFIX = "-token";
  static final String ALIAS_SUFFIX = "-webhook-token";
  private static final int BYTES = 32;

  private final KubernetesClient client;
  private final SecureRandom random = new SecureRandom();

  WebhookTokens(KubernetesClient client) {
    this.client = client;
  }

  static String secretName(String event) {
    return event + SUFFIX;
  }

  /** Upstream's name of the token Secret, used when {@code <event>-token} does not exist. */
  static String aliasName(String event) {
    return event + ALIAS_SUFFIX;
  }

  /** Labels of the token Secrets the operator makes. */
  static Map<String, String> labels() {
    return Map.of(Operator.MANAGED_BY_LABEL, Operator.MANAGED_BY);
  }

  /**
   * The outcome of {@link #ensure}.
   *
   * @param secret the name of the Secret holding the token
   * @param problem null when the token is there, else what is wrong with the existing Secret
   */
  record Ensured(String secret, String problem) {}

  /** Makes the Secret when it is missing (and upstream's alias holds no token). */
  Ensured ensure(ArkEvent event) {
    String namespace = event.getMetadata().getNamespace();
    String name = secretName(event.getMetadata().getName());
    Secret existing = client.secrets().inNamespace(namespace).withName(name).get();
    if (existing == null) {
      Secret alias =
          client
              .secrets()
              .inNamespace(namespace)
              .withName(aliasName(event.getMetadata().getName()))
              .get();
      if (alias != null && hasKey(alias)) {
        label(event, alias); // upstream's <event>-webhook-token: the token, no Secret of ours
        return new Ensured(alias.getMetadata().getName(), null);
      }
    }
    if (existing != null) {
      boolean hasKey = hasKey(existing);
      if (hasKey) {
        label(event, existing);
      }
      return new Ensured(
          name,
          hasKey
              ? null
              : "Secret "
                  + name
                  + " exists but has no key \""
                  + KEY
                  + "\"; add the key or delete the"
                  + " Secret so the operator makes a new token");
    }
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels(labels())
            .addToLabels(EVENT_LABEL, event.getMetadata().getName())
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(event.getApiVersion())
                    .withKind(event.getKind())
                    .withName(event.getMetadata().getName())
                    .withUid(event.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withType("Opaque")
            .addToData(KEY, Base64.getEncoder().encodeToString(newToken()))
            .build();
    try {
      client.secrets().inNamespace(namespace).resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw new KubernetesClientException(
            "cannot create Secret " + namespace + "/" + name + ": HTTP " + e.getCode(),
            e.getCode(),
            e.getStatus());
      }
    }
    return new Ensured(name, null);
  }

  private static boolean hasKey(Secret secret) {
    return (secret.getData() != null && secret.getData().containsKey(KEY))
        || (secret.getStringData() != null && secret.getStringData().containsKey(KEY));
  }

  /** The user's own Secret: labelled so the webhook server's Secret informer sees it. */
  private void label(ArkEvent event, Secret secret) {
    if (event.getMetadata().getName().equals(labelOf(secret))) {
      return;
    }
    client
        .secrets()
        .inNamespace(event.getMetadata().getNamespace())
        .withName(secret.getMetadata().getName())
        .edit(
            s ->
                new SecretBuilder(s)
                    .editMetadata()
                    .addToLabels(EVENT_LABEL, event.getMetadata().getName())
                    .endMetadata()
                    .build());
  }

  private static String labelOf(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    return labels == null ? null : labels.get(EVENT_LABEL);
  }

  /** base64url (no padding) of 32 bytes from {@link SecureRandom}, as bytes for Secret data. */
  private byte[] newToken() {
    byte[] bytes = new byte[BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(bytes)
        .getBytes(StandardCharsets.US_ASCII);
  }
}
