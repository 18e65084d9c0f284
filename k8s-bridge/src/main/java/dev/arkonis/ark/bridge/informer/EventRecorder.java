package dev.arkonis.ark.bridge.informer;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code v1} Events about an object, as {@code kubectl describe} shows them. The same
 * (object, type, reason, message) again bumps the count of the existing Event instead of adding
 * one. Recording is best effort: a failure is logged, never thrown into a reconcile.
 */
public final class EventRecorder {
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String component;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, String component, Clock clock) {
    this.client = client;
    this.component = component;
    this.clock = clock;
  }

  /** A Normal event: a user-visible transition. */
  public void normal(HasMetadata object, String reason, String message) {
    record(object, NORMAL, reason, message);
  }

  /** A Warning event: something the user must fix, or an error. */
  public void warning(HasMetadata object, String reason, String message) {
    record(object, WARNING, reason, message);
  }

  public void record(HasMetadata object, String type, String reason, String message) {
    String namespace = object.getMetadata().getNamespace();
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    String name = name(object, type, reason, text);
    try {
      Event existing = client.v1().events().inNamespace(namespace).withName(name).get();
      if (existing != null) {
        existing.setCount(existing.getCount() == null ? 2 : existing.getCount() + 1);
        existing.setLastTimestamp(now);
        client.v1().events().inNamespace(namespace).resource(existing).update();
        return;
      }
      Event event =
          new EventBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(namespace)
              .endMetadata()
              .withInvolvedObject(
                  new ObjectReferenceBuilder()
                      .withApiVersion(object.getApiVersion())
                      .withKind(object.getKind())
                      .withNamespace(namespace)
                      .withName(object.getMetadata().getName())
                      .withUid(object.getMetadata().getUid())
                      .withResourceVersion(object.getMetadata().getResourceVersion())
                      .build())
              .withType(type)
              .withReason(reason)
              .withMessage(text)
              .withCount(1)
              .withFirstTimestamp(now)
              .withLastTimestamp(now)
              .withNewSource()
              .withComponent(component)
              .endSource()
              .withReportingComponent(component)
              .build();
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record {} event {} on {} {}/{}: {}",
          type,
          reason,
          object.getKind(),
          namespace,
          object.getMetadata().getName(),
          e.getMessage());
    }
  }

  /**
   * {@code <object>.<digest>}: stable per (object, type, reason, message), so repeats aggregate.
   */
  private static String name(HasMetadata object, String type, String reason, String message) {
    String identity =
        String.join(
            "\n",
            object.getKind(),
            String.valueOf(object.getMetadata().getUid()),
            type,
            reason,
            message);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      String base = object.getMetadata().getName();
      if (base.length() > 200) {
        base = base.substring(0, 200);
      }
      return base + "." + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
