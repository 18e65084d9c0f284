package dev.arkonis.ark.bridge.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.CronEventWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ArkEvent's spec as the bridge uses it, with the CRD's defaults applied ({@code timezone} UTC,
 * {@code concurrencyPolicy} Allow, {@code teamOutput.onPhase} Succeeded).
 *
 * @param type {@code cron}, {@code webhook} or {@code team-output}
 * @param sourceTeam {@code source.teamOutput.name} (team-output), else null
 */
record EventSpec(
    String namespace,
    String name,
    String type,
    String cron,
    String timezone,
    String sourceTeam,
    String onPhase,
    List<EventFireWorkflow.Target> targets,
    String concurrencyPolicy,
    boolean suspended) {

  static final String CRON = "cron";
  static final String WEBHOOK = "webhook";
  static final String TEAM_OUTPUT = "team-output";
  static final String ALLOW = "Allow";
  static final String FORBID = "Forbid";
  static final String REPLACE = "Replace";

  EventSpec {
    targets = List.copyOf(targets);
  }

  /** Reads {@code spec} of the ArkEvent {@code namespace/name} (a JSON tree). */
  static EventSpec of(String namespace, String name, JsonNode spec) {
    JsonNode source = spec.path("source");
    JsonNode teamOutput = source.path("teamOutput");
    List<EventFireWorkflow.Target> targets = new ArrayList<>();
    for (JsonNode target : spec.path("targets")) {
      Map<String, String> input = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> fields = target.path("input").fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        input.put(field.getKey(), field.getValue().asText());
      }
      targets.add(new EventFireWorkflow.Target(target.path("team").asText(), input));
    }
    return new EventSpec(
        namespace,
        name,
        source.path("type").asText(""),
        source.hasNonNull("cron") ? source.path("cron").asText().trim() : null,
        text(source.path("timezone"), "UTC"),
        teamOutput.hasNonNull("name") ? teamOutput.path("name").asText() : null,
        text(teamOutput.path("onPhase"), "Succeeded"),
        targets,
        text(spec.path("concurrencyPolicy"), ALLOW),
        spec.path("suspended").asBoolean(false));
  }

  /** The timer workflow's view of a cron event. */
  CronEventWorkflow.CronSpec cronSpec() {
    return new CronEventWorkflow.CronSpec(
        namespace, name, cron, timezone, concurrencyPolicy, suspended, targets);
  }

  /** A fire must wait for its runs when the next fire needs to know whether they still run. */
  boolean waitForRuns() {
    return !ALLOW.equals(concurrencyPolicy);
  }

  private static String text(JsonNode node, String fallback) {
    String value = node.asText("");
    return value.isBlank() ? fallback : value;
  }
}
