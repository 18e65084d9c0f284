package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ArkNotify's spec in either shape, read the same way. Ark's shape: one {@code channel} and
 * {@code events[] {type, template}} with {@code rateLimiting}. Upstream's shape: {@code channels[]}
 * ({@code slack.webhookURLFrom.secretKeyRef}, {@code webhook.urlFrom.secretKeyRef}, {@code
 * webhook.headers}, {@code webhook.template}), {@code on[]} (event types; {@code DailyLimitReached}
 * is an agent's {@code BudgetExceeded}) and {@code rateLimitSeconds} (one message per window).
 */
final class NotifySpec {
  /** Upstream's name for an agent's daily token budget running out. */
  static final String DAILY_LIMIT_REACHED = "DailyLimitReached";

  private NotifySpec() {}

  /**
   * One destination.
   *
   * @param type {@code slack} or {@code webhook}
   * @param path the field path of the channel, for messages ({@code spec.channel}, {@code
   *     spec.channels[1]})
   * @param urlRef the {@code {name, key}} of the Secret key holding the URL
   * @param urlPath the field path of {@code urlRef}
   * @param headersSecretRef ark's {@code webhook.headersSecretRef} (every key a header), or missing
   * @param headers upstream's plain {@code webhook.headers}
   * @param bodyTemplate upstream's {@code webhook.template} (the request body), or empty
   */
  record Channel(
      String type,
      String path,
      JsonNode urlRef,
      String urlPath,
      JsonNode headersSecretRef,
      Map<String, String> headers,
      String bodyTemplate) {}

  /** The channels of an ArkNotify, in order. */
  static List<Channel> channels(JsonNode notify) {
    JsonNode spec = notify.path("spec");
    List<Channel> channels = new ArrayList<>();
    JsonNode ours = spec.path("channel");
    if (ours.isObject()) {
      boolean slack = "slack".equals(ours.path("type").asText());
      channels.add(
          new Channel(
              ours.path("type").asText(),
              "spec.channel",
              slack
                  ? ours.path("slack").path("webhookUrlSecretRef")
                  : ours.path("webhook").path("urlSecretRef"),
              slack
                  ? "spec.channel.slack.webhookUrlSecretRef"
                  : "spec.channel.webhook.urlSecretRef",
              slack
                  ? JsonNodeFactory.instance.missingNode()
                  : ours.path("webhook").path("headersSecretRef"),
              Map.of(),
              ""));
    }
    JsonNode upstream = spec.path("channels");
    for (int i = 0; i < upstream.size(); i++) {
      JsonNode c = upstream.get(i);
      String path = "spec.channels[" + i + "]";
      boolean slack = "slack".equals(c.path("type").asText());
      Map<String, String> headers = new LinkedHashMap<>();
      c.path("webhook")
          .path("headers")
          .fields()
          .forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText("")));
      channels.add(
          new Channel(
              c.path("type").asText(),
              path,
              slack
                  ? c.path("slack").path("webhookURLFrom").path("secretKeyRef")
                  : c.path("webhook").path("urlFrom").path("secretKeyRef"),
              slack
                  ? path + ".slack.webhookURLFrom.secretKeyRef"
                  : path + ".webhook.urlFrom.secretKeyRef",
              JsonNodeFactory.instance.missingNode(),
              slack ? Map.of() : Map.copyOf(headers),
              slack ? "" : c.path("webhook").path("template").asText("")));
    }
    return channels;
  }

  /**
   * The {@code events[]} entry of an event type, or for upstream's {@code on[]} an entry without
   * template; null when the ArkNotify does not subscribe to it.
   */
  static JsonNode event(JsonNode notify, String type, String subjectKind) {
    JsonNode spec = notify.path("spec");
    for (JsonNode event : spec.path("events")) {
      if (type.equals(event.path("type").asText())) {
        return event;
      }
    }
    for (JsonNode on : spec.path("on")) {
      String wanted = on.asText();
      boolean daily =
          DAILY_LIMIT_REACHED.equals(wanted)
              && NotifyActivities.BUDGET_EXCEEDED.equals(type)
              && "ArkAgent".equals(subjectKind);
      if (wanted.equals(type) || daily) {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("type", type);
        return event;
      }
    }
    return null;
  }

  /** The rate-limit window in seconds, 0 without a limit. */
  static int windowSeconds(JsonNode notify) {
    JsonNode spec = notify.path("spec");
    int upstream = spec.path("rateLimitSeconds").asInt(0);
    return upstream > 0 ? upstream : spec.path("rateLimiting").path("windowSeconds").asInt(0);
  }

  /** Messages allowed per window, 0 without a limit. */
  static int maxPerWindow(JsonNode notify) {
    JsonNode spec = notify.path("spec");
    return spec.path("rateLimitSeconds").asInt(0) > 0
        ? 1
        : spec.path("rateLimiting").path("maxPerWindow").asInt(0);
  }
}
