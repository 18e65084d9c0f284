package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import java.util.List;

/**
 * The rules of an ArkNotify's two shapes (the CRD's CEL rules, for {@code ark validate}): ark's
 * {@code channel} with {@code events}, or upstream's {@code channels} with {@code on}; one rate
 * limit; each upstream channel has the block its type names, and its body template parses.
 */
final class NotifyRules {
  private NotifyRules() {}

  static void check(Manifest manifest, JsonNode spec, List<Problem> problems) {
    boolean channel = spec.has("channel");
    boolean channels = spec.has("channels");
    if (channel == channels) {
      problems.add(
          manifest.problem(
              "spec",
              "set exactly one of channel (ark's shape, with events) or channels (upstream's"
                  + " shape, with on)"));
    }
    if (channel != spec.has("events")) {
      problems.add(
          manifest.problem(
              channel ? "spec.channel" : "spec.events",
              "channel and events go together; set both or use channels and on"));
    }
    if (channels != spec.has("on")) {
      problems.add(
          manifest.problem(
              channels ? "spec.channels" : "spec.on",
              "channels and on go together; set both or use channel and events"));
    }
    if (spec.has("rateLimiting") && spec.has("rateLimitSeconds")) {
      problems.add(
          manifest.problem(
              "spec.rateLimitSeconds", "set rateLimiting or rateLimitSeconds, not both"));
    }
    JsonNode list = spec.path("channels");
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      String path = FieldPath.index("spec.channels", i);
      String type = item.path("type").asText();
      if (("slack".equals(type) || "webhook".equals(type)) && !item.has(type)) {
        problems.add(
            manifest.problem(
                FieldPath.child(path, "type"),
                "is \"" + type + "\" but " + FieldPath.child(path, type) + " is missing; add it"));
      }
      Templates.checkSyntax(
          manifest,
          FieldPath.child(FieldPath.child(path, "webhook"), "template"),
          item.path("webhook").path("template"),
          problems);
    }
  }
}
