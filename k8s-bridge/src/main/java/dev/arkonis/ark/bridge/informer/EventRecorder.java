package dev.arkonis.ark.bridge.informer;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code v1} Events about an object, as {@code kubectl describe} shows them. The same
 * (object, type, reason, message) again bumps the {@code count} and {@code lastTimestamp} of the
 * existing Event instead of adding one. Like client-go's recorder it never reads Events: it creates
 * one, remembers what it created, and patches a repeat (RBAC: {@code events} create and patch
 * only). An Event this process does not know yet but which exists (a previous leader recorded it)
 * is patched too; an Event that is gone (the API server's event TTL) is created again. Recording is
 * best effort: a failure is logged, never thrown into a reconcile.
 */
public final class EventRecorder {
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  /** How many recorded Events (namespace/name → count) are remembered for aggregation. */
  private static final int REMEMBERED = 4096;

  private final KubernetesClient client;
  private final String component;
  private final Clock clock;

  /** namespace/name → the count last written, least recently used first. */
  private final Map<String, Integer> counts =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
              return size() > REMEMBERED;
            }
          });

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
    String key = namespace + "/" + name;
    try {
      Integer count = counts.get(key);
      if (count != null && bump(namespace, name, count + 1, now) != null) {
        counts.put(key, count + 1);
        return;
      }
      try {
        client
            .v1()
            .events()
            .inNamespace(namespace)
            .resource(event(object, namespace, name, type, reason, text, now))
            .create();
        counts.put(key, 1);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        // Recorded before this process knew it (an earlier leader): the patch that moves
        // lastTimestamp returns the Event, and with it the count to bump.
        Event existing = patch(namespace, name, Map.of("lastTimestamp", now));
        int bumped = (existing.getCount() == null ? 1 : existing.getCount()) + 1;
        bump(namespace, name, bumped, now);
        counts.put(key, bumped);
      }
    } catch (KubernetesClientException e) {
      counts.remove(key);
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

  /** Sets count and lastTimestamp of an existing Event; null when the Event is gone. */
  private Event bump(String namespace, String name, int count, String now) {
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("count", count);
    patch.put("lastTimestamp", now);
    try {
      return patch(namespace, name, patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  /**
   * A JSON merge patch of the named Event. Addressed through an object, not {@code withName}:
   * fabric8 would otherwise GET the Event first.
   */
  private Event patch(String namespace, String name, Map<String, Object> fields) {
    Event target =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .build();
    return client
        .v1()
        .events()
        .inNamespace(namespace)
        .resource(target)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            client.getKubernetesSerialization().asJson(fields));
  }

  private Event event(
      HasMetadata object,
      String namespace,
      String name,
      String type,
      String reason,
      String text,
      String now) {
    return new EventBuilder()
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
