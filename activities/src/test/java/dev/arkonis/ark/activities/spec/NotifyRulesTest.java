package dev.arkonis.ark.activities.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ark validate} on an ArkNotify in ark's shape and in upstream's. */
class NotifyRulesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static List<String> problems(String spec) throws Exception {
    JsonNode object =
        YAML.readTree(
            "apiVersion: arkonis.dev/v1alpha1\nkind: ArkNotify\nmetadata: {name: alerts, namespace:"
                + " ops}\nspec:\n"
                + spec.indent(2));
    return new SpecValidator()
        .validateStored(object).stream().map(p -> p.field() + ": " + p.message()).toList();
  }

  @Test
  void upstreamShapeIsValid() throws Exception {
    assertThat(
            problems(
                """
                on: [TeamFailed, DailyLimitReached, AgentDegraded]
                channels:
                - type: slack
                  slack: {webhookURLFrom: {secretKeyRef: {name: s, key: url}}}
                - type: webhook
                  webhook:
                    urlFrom: {secretKeyRef: {name: h, key: url}}
                    headers: {X-Source: ark}
                    template: '{"text": "{{ .event }} {{ .team.name }}"}'
                rateLimitSeconds: 300
                """))
        .isEmpty();
  }

  @Test
  void shapesAreNotMixedAndEachChannelHasItsBlock() throws Exception {
    assertThat(
            problems(
                """
                channel: {type: slack, slack: {webhookUrlSecretRef: {name: s, key: url}}}
                events: [{type: TeamFailed}]
                channels:
                - type: webhook
                  webhook:
                    urlFrom: {secretKeyRef: {name: h, key: url}}
                    template: '{{ .run.name'
                - type: slack
                rateLimiting: {windowSeconds: 60, maxPerWindow: 1}
                rateLimitSeconds: 60
                """))
        .anySatisfy(p -> assertThat(p).startsWith("spec: set exactly one of channel"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.channels: channels and on go together"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "spec.rateLimitSeconds: set rateLimiting or rateLimitSeconds, not both"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "spec.channels[1].type: is \"slack\" but spec.channels[1].slack is missing;"
                            + " add it"))
        .anySatisfy(p -> assertThat(p).startsWith("spec.channels[0].webhook.template: template"));
  }

  @Test
  void anUnknownUpstreamEventTypeIsRejectedBySchema() throws Exception {
    assertThat(
            problems(
                """
                on: [TeamExploded]
                channels:
                - type: slack
                  slack: {webhookURLFrom: {secretKeyRef: {name: s, key: url}}}
                """))
        .singleElement()
        .asString()
        .startsWith("spec.on[0]: ");
  }
}
