package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.ChartFixture.KUBE;
import static dev.arkonis.ark.cli.ChartFixture.namespacedValues;
import static dev.arkonis.ark.cli.ChartFixture.only;
import static dev.arkonis.ark.cli.ChartFixture.parse;
import static dev.arkonis.ark.cli.ChartFixture.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart's metrics parts: scrape annotations, the optional ServiceMonitor and PodMonitor. */
class HelmMetricsChartTest {
  @Test
  void defaultValuesAnnotateTheOperatorForScrapingWithoutAServiceMonitor() throws IOException {
    List<HasMetadata> objects = parse(render(Map.of()));

    Map<String, String> scrape =
        Map.of(
            "prometheus.io/scrape", "true",
            "prometheus.io/port", "8080",
            "prometheus.io/path", "/metrics");
    assertThat(
            only(objects, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
        .containsAllEntriesOf(scrape);
    assertThat(
            RbacContractTest.named(objects, Service.class, "ark-operator")
                .getMetadata()
                .getAnnotations())
        .containsAllEntriesOf(scrape);
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .doesNotContain("ServiceMonitor", "PodMonitor");
  }

  @Test
  void serviceMonitorValuesRenderAServiceMonitorAndAnAgentPodMonitor() throws IOException {
    List<HasMetadata> objects = parse(render(namespacedValues()));

    Map<String, String> podAnnotations =
        only(objects, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(podAnnotations)
        .containsEntry("example.com/team", "platform")
        .doesNotContainKey("prometheus.io/scrape");
    JsonNode monitor = tree(objects, "ServiceMonitor");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(monitor.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");
    assertThat(monitor.at("/spec/selector/matchLabels/app.kubernetes.io~1component").asText())
        .isEqualTo("operator");
    JsonNode agents = tree(objects, "PodMonitor");
    assertThat(agents.at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText())
        .isEqualTo("ark-agent");
    assertThat(agents.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo("team-a");
    assertThat(agents.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("http");
  }

  private static JsonNode tree(List<HasMetadata> objects, String kind) {
    return KUBE.convertValue(
        objects.stream()
            .filter(o -> o.getKind().equals(kind))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + kind + " rendered")),
        JsonNode.class);
  }
}
