package dev.arkonis.ark.bridge.admission;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhook's self-signed CA and serving certificate, kept in one {@code
 * kubernetes.io/tls} Secret ({@code tls.crt}, {@code tls.key}, {@code ca.crt}) so every operator
 * replica serves the same certificate and patches the same {@code caBundle}. The first replica to
 * start creates it; the others read it (a create that loses the race reads the winner's). A missing
 * or unreadable certificate, one that does not name every host, or one that expires within {@link
 * ServingCertificate#RENEW_BEFORE} is replaced (an update with the read resourceVersion: two
 * replicas renewing at once agree on one).
 */
public final class CertificateSecret {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateSecret.class);

  public static final String CERT_KEY = "tls.crt";
  public static final String KEY_KEY = "tls.key";
  public static final String CA_KEY = "ca.crt";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final List<String> hosts;
  private final Clock clock;

  /**
   * @param hosts the names the API server calls the webhook by (the Service's DNS names)
   */
  public CertificateSecret(
      KubernetesClient client, String namespace, String name, List<String> hosts, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.hosts = List.copyOf(hosts);
    this.clock = clock;
  }

  /** The DNS names of Service {@code service} in {@code namespace}, as the API server uses them. */
  public static List<String> serviceHosts(String service, String namespace) {
    return List.of(
        service,
        service + "." + namespace,
        service + "." + namespace + ".svc",
        service + "." + namespace + ".svc.cluster.local");
  }

  /** The certificate to serve: the Secret's, or a new one stored in it. */
  public ServingCertificate ensure() {
    KubernetesClientException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
      Instant now = clock.instant();
      ServingCertificate stored = secret == null ? null : read(secret);
      if (stored != null && stored.serves(hosts, now.plus(ServingCertificate.RENEW_BEFORE))) {
        return stored;
      }
      ServingCertificate fresh = trustingOld(ServingCertificate.generate(hosts, now), stored, now);
      try {
        if (secret == null) {
          client.secrets().inNamespace(namespace).resource(secret(fresh, null)).create();
          LOG.info("admission webhook: created the CA and serving certificate in Secret {}", ref());
        } else {
          client.secrets().inNamespace(namespace).resource(secret(fresh, secret)).update();
          LOG.info("admission webhook: renewed the CA and serving certificate in Secret {}", ref());
        }
        return fresh;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        last = e; // another replica created or renewed it first: use theirs
      }
    }
    throw new IllegalStateException(
        "cannot store the admission certificate in Secret " + ref() + ": " + last.getMessage());
  }

  /**
   * The new material with the old CA still in its CA bundle while that CA is valid: replicas that
   * have not picked up the renewed certificate yet keep being trusted.
   */
  private static ServingCertificate trustingOld(
      ServingCertificate fresh, ServingCertificate old, Instant now) {
    if (old == null) {
      return fresh;
    }
    try {
      var oldCa = ServingCertificate.certificates(old.caPem()).get(0);
      if (oldCa.getNotAfter().toInstant().isBefore(now)) {
        return fresh;
      }
      return new ServingCertificate(
          fresh.caPem() + ServingCertificate.pem(oldCa), fresh.certPem(), fresh.keyPem());
    } catch (RuntimeException e) {
      return fresh;
    }
  }

  private String ref() {
    return namespace + "/" + name;
  }

  /** The material of a Secret, or null when a key is missing. */
  static ServingCertificate read(Secret secret) {
    Map<String, String> data = secret.getData();
    if (data == null
        || !data.containsKey(CERT_KEY)
        || !data.containsKey(KEY_KEY)
        || !data.containsKey(CA_KEY)) {
      return null;
    }
    try {
      return new ServingCertificate(
          decode(data.get(CA_KEY)), decode(data.get(CERT_KEY)), decode(data.get(KEY_KEY)));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Secret secret(ServingCertificate cert, Secret existing) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CERT_KEY, encode(cert.certPem()));
    data.put(KEY_KEY, encode(cert.keyPem()));
    data.put(CA_KEY, encode(cert.caPem()));
    SecretBuilder builder =
        existing == null
            ? new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "ark")
                .addToLabels("app.kubernetes.io/component", "admission-webhook")
                .endMetadata()
            : new SecretBuilder(existing);
    return builder.withType("kubernetes.io/tls").withData(data).build();
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
  }
}
