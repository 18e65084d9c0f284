package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ArkNotify's channel: the URL (and a webhook's headers) read from Secrets at each delivery,
 * then one JSON POST. Errors name the ArkNotify, the field and the Secret, never the URL or a
 * header value, and carry no cause that could.
 */
final class NotifyChannel {
  /** Failure type of a delivery that may succeed later (5xx, 429, network, missing Secret). */
  static final String UNAVAILABLE = "NotifyChannelUnavailable";

  /** Failure type of a delivery the receiver refused (other 4xx): retrying cannot help. */
  static final String REJECTED = "NotifyRejected";

  private final KubernetesClient client;
  private final HttpClient http;

  NotifyChannel(KubernetesClient client) {
    this.client = client;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Where and how a notification is sent, read from the ArkNotify and its Secrets. */
  record Target(String type, String path, URI url, Map<String, String> headers) {}

  /**
   * One channel of an ArkNotify ({@link NotifySpec#channels}).
   *
   * @throws ApplicationFailure (retryable) naming what is missing
   */
  Target target(JsonNode notify, NotifySpec.Channel channel) {
    String namespace = notify.path("metadata").path("namespace").asText();
    String name = notify.path("metadata").path("name").asText();
    String type = channel.type();
    String refPath = channel.urlPath();
    JsonNode ref = channel.urlRef();
    String problem = SecretRefs.problem(client, namespace, ref, refPath);
    if (problem != null) {
      throw ApplicationFailure.newFailure(
          "ArkNotify " + namespace + "/" + name + ": " + problem, UNAVAILABLE);
    }
    String value = SecretRefs.value(client, namespace, ref).trim();
    URI url;
    try {
      url = URI.create(value);
    } catch (IllegalArgumentException e) {
      url = null; // the exception's message quotes the URL: not kept
    }
    if (url == null
        || url.getHost() == null
        || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
      throw ApplicationFailure.newNonRetryableFailure(
          "ArkNotify "
              + namespace
              + "/"
              + name
              + ": "
              + refPath
              + ": the value of key \""
              + ref.path("key").asText()
              + "\" in Secret \""
              + ref.path("name").asText()
              + "\" is not an http(s) URL; put the webhook URL there",
          REJECTED);
    }
    Map<String, String> headers = new LinkedHashMap<>(channel.headers());
    JsonNode headersRef = channel.headersSecretRef();
    if ("webhook".equals(type) && headersRef.isObject()) {
      String secretName = headersRef.path("name").asText();
      Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
      if (secret == null) {
        throw ApplicationFailure.newFailure(
            "ArkNotify "
                + namespace
                + "/"
                + name
                + ": "
                + channel.path()
                + ".webhook.headersSecretRef: Secret \""
                + secretName
                + "\" not found; create it",
            UNAVAILABLE);
      }
      headers.putAll(SecretRefs.all(secret));
    }
    return new Target(type, channel.path(), url, headers);
  }

  /** POSTs the JSON body; 2xx is delivered, anything else throws (without URL or body). */
  void post(Target target, String body, String what) {
    post(target, body, "application/json", what);
  }

  /** POSTs the body; 2xx is delivered, anything else throws (without URL or body). */
  void post(Target target, String body, String contentType, String what) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.url())
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    target.headers().forEach(request::header);
    HttpResponse<Void> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw ApplicationFailure.newFailure(
          what
              + ": the "
              + target.type()
              + " URL could not be reached ("
              + e.getClass().getSimpleName()
              + ")",
          UNAVAILABLE);
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          what + ": a header of " + target.path() + ".webhook is not a valid HTTP header",
          REJECTED);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure(what + ": interrupted", UNAVAILABLE);
    }
    int code = response.statusCode();
    if (code / 100 == 2) {
      return;
    }
    String message = what + ": the " + target.type() + " URL answered HTTP " + code;
    if (code == 408 || code == 429 || code / 100 == 5) {
      throw ApplicationFailure.newFailure(message, UNAVAILABLE);
    }
    throw ApplicationFailure.newNonRetryableFailure(
        message + "; check the URL in the Secret", REJECTED);
  }

  /** Secret values; both {@code data} (base64) and {@code stringData}. */
  static final class SecretRefs {
    private SecretRefs() {}

    /** What is wrong with a {@code {name, key}} reference, or null when its value exists. */
    static String problem(KubernetesClient client, String namespace, JsonNode ref, String path) {
      String secretName = ref.path("name").asText("");
      String key = ref.path("key").asText("");
      if (secretName.isEmpty() || key.isEmpty()) {
        return path + ": name and key are required";
      }
      Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
      if (secret == null) {
        return path
            + ": Secret \""
            + secretName
            + "\" not found; create it with key \""
            + key
            + "\"";
      }
      String value = all(secret).get(key);
      if (value == null || value.isBlank()) {
        return path + ": Secret \"" + secretName + "\" has no key \"" + key + "\"; add it";
      }
      return null;
    }

    static String value(KubernetesClient client, String namespace, JsonNode ref) {
      Secret secret =
          client.secrets().inNamespace(namespace).withName(ref.path("name").asText()).get();
      return all(secret).get(ref.path("key").asText());
    }

    static Map<String, String> all(Secret secret) {
      Map<String, String> out = new LinkedHashMap<>();
      if (secret.getStringData() != null) {
        out.putAll(secret.getStringData());
      }
      if (secret.getData() != null) {
        secret
            .getData()
            .forEach(
                (k, v) ->
                    out.put(
                        k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
      }
      return out;
    }
  }
}
