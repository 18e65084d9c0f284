package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.template.Template;
import dev.arkonis.ark.workflows.template.TemplateException;
import java.util.Map;

/**
 * The text of a notification: the event's {@code template} rendered over the context, or the
 * default message of its type when it has none; a template that fails gives the default message and
 * the error (reported in the ArkNotify's status).
 */
final class NotifyMessages {
  /** Default message templates, per event type (and subject kind for BudgetExceeded). */
  static final Map<String, String> DEFAULTS =
      Map.of(
          NotifyActivities.TEAM_SUCCEEDED,
          "ArkTeam {{ .team.name }}: run {{ .run.name }} succeeded in"
              + " {{ .run.status.durationSeconds }}s"
              + " ({{ .run.status.totalTokenUsage.totalTokens }} tokens).",
          NotifyActivities.TEAM_FAILED,
          "ArkTeam {{ .team.name }}: run {{ .run.name }} failed: {{ .run.status.message }}",
          NotifyActivities.TEAM_TIMED_OUT,
          "ArkTeam {{ .team.name }}: run {{ .run.name }} timed out after"
              + " {{ .run.status.durationSeconds }}s.",
          NotifyActivities.BUDGET_EXCEEDED,
          "ArkTeam {{ .team.name }}: run {{ .run.name }} stopped: {{ .run.status.message }}",
          "ArkAgent/" + NotifyActivities.BUDGET_EXCEEDED,
          "ArkAgent {{ .agent.name }}: daily token budget exhausted"
              + " ({{ .agent.status.dailyTokensUsed }} tokens used; resets in"
              + " ~{{ .agent.status.budgetResetsInMinutes }} minutes).",
          NotifyActivities.AGENT_DEGRADED,
          "ArkAgent {{ .agent.name }} is degraded: its semantic probe fails on at least one"
              + " replica.",
          NotifyActivities.AGENT_RECOVERED,
          "ArkAgent {{ .agent.name }} recovered: its replicas pass their semantic probe again.");

  private NotifyMessages() {}

  /** The rendered text and, when the event's template failed, why. */
  record Text(String text, String templateError) {}

  static Text render(JsonNode event, String type, String subjectKind, Map<String, Object> data) {
    String fallback =
        DEFAULTS.getOrDefault(
            subjectKind + "/" + type, DEFAULTS.getOrDefault(type, "{{ .event }}"));
    String template = event == null ? "" : event.path("template").asText("");
    if (!template.isBlank()) {
      try {
        return new Text(Template.parse(template).render(data), null);
      } catch (TemplateException e) {
        String error =
            "spec.events[type="
                + type
                + "].template: "
                + e.getMessage()
                + "; the default message was sent";
        return new Text(Template.parse(fallback).render(data), error);
      }
    }
    return new Text(Template.parse(fallback).render(data), null);
  }
}
