package dev.arkonis.ark.activities.spec;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/** ArkEvent rules: the source's own fields, cron and time zone, target input templates. */
final class EventRules {
  private static final CronParser CRON =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private EventRules() {}

  static void check(Manifest manifest, JsonNode spec, List<Problem> problems) {
    JsonNode source = spec.path("source");
    String type = source.path("type").asText();
    if (type.equals("cron")) {
      if (!source.has("cron")) {
        problems.add(
            manifest.problem(
                "spec.source",
                "type is cron but spec.source.cron is missing; add a"
                    + " 5-field cron expression such as \"0 9 * * 1-5\""));
      } else {
        cronProblem(source.path("cron").asText())
            .ifPresent(m -> problems.add(manifest.problem("spec.source.cron", m)));
      }
    }
    if (type.equals("team-output") && !source.has("teamOutput")) {
      problems.add(
          manifest.problem(
              "spec.source",
              "type is team-output but spec.source.teamOutput is missing; add"
                  + " teamOutput.name (the team whose runs fire this event)"));
    }
    onlyFor(manifest, source, "cron", "cron", type, problems);
    onlyFor(manifest, source, "teamOutput", "team-output", type, problems);
    if (source.has("timezone")) {
      String zone = source.path("timezone").asText();
      try {
        ZoneId.of(zone);
      } catch (DateTimeException e) {
        problems.add(
            manifest.problem(
                "spec.source.timezone",
                "unknown time zone \""
                    + zone
                    + "\"; use an IANA name such as Europe/Berlin or UTC"));
      }
    }
    JsonNode targets = spec.path("targets");
    for (int i = 0; i < targets.size(); i++) {
      var fields = targets.get(i).path("input").fields();
      while (fields.hasNext()) {
        var field = fields.next();
        String at =
            FieldPath.child(
                FieldPath.child(FieldPath.index("spec.targets", i), "input"), field.getKey());
        Templates.checkReferences(
            manifest,
            at,
            Templates.checkSyntax(manifest, at, field.getValue(), problems),
            new Templates.Scope(Set.of("trigger"), null, Set.of(), null),
            problems);
      }
    }
  }

  /** A source block set for another {@code source.type} than its own. */
  private static void onlyFor(
      Manifest manifest,
      JsonNode source,
      String block,
      String blockType,
      String type,
      List<Problem> problems) {
    if (source.has(block) && !type.equals(blockType)) {
      problems.add(
          manifest.problem(
              "spec.source." + block,
              "is only used with type "
                  + blockType
                  + ", but type is "
                  + type
                  + "; remove it or set type to "
                  + blockType));
    }
  }

  /** Why a 5-field cron expression is invalid, naming the field, or empty when it is valid. */
  static java.util.Optional<String> cronProblem(String expression) {
    String[] fields = expression.trim().split("\\s+");
    if (fields.length != 5) {
      return java.util.Optional.of(
          "cron \""
              + expression
              + "\" has "
              + fields.length
              + " fields; use 5: minute hour day-of-month month day-of-week");
    }
    try {
      CRON.parse(expression).validate();
      return java.util.Optional.empty();
    } catch (IllegalArgumentException e) {
      String[] names = {"minute", "hour", "day-of-month", "month", "day-of-week"};
      String culprit = "";
      for (int f = 0; f < 5; f++) {
        String[] probe = {"*", "*", "*", "*", "*"};
        probe[f] = fields[f];
        try {
          CRON.parse(String.join(" ", probe)).validate();
        } catch (IllegalArgumentException inner) {
          culprit = names[f] + " field \"" + fields[f] + "\": ";
          break;
        }
      }
      return java.util.Optional.of(
          "invalid cron \""
              + expression
              + "\": "
              + culprit
              + e.getMessage()
              + "; fix the expression");
    }
  }
}
