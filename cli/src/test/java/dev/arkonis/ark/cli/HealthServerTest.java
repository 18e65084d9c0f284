package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.activities.metrics.ArkMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code /healthz} and {@code /readyz} as the kubelet sees them; {@code /metrics} as Prometheus
 * does.
 */
class HealthServerTest {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void readyzFollowsTheReadinessAndHealthzIsAlwaysOk() throws Exception {
    AtomicReference<String> problem =
        new AtomicReference<>("the webhook server's ArkEvent cache is not synced yet");
    try (HealthServer health = new HealthServer(0, problem::get)) {
      HttpResponse<String> notReady = get(health, "/readyz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).isEqualTo(problem.get() + "\n");
      assertThat(get(health, "/healthz").statusCode()).isEqualTo(200);

      problem.set(null);
      HttpResponse<String> ready = get(health, "/readyz");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("ready\n");
      assertThat(ready.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    }
  }

  @Test
  void metricsServesWhatTheActivitiesRecordInPrometheusFormat() throws Exception {
    try (HealthServer health = new HealthServer(0, () -> null)) {
      TemporalConnection.embedded().close(); // e.g. an ark run before: the registry stays open
      ArkMetrics.global().tokens("ns-h", "team-h", "agent-h", "model-h", 12, 3);
      HttpResponse<String> metrics = get(health, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(metrics.body())
          .contains("# TYPE ark_llm_tokens_total counter")
          .contains(
              "ark_llm_tokens_total{agent=\"agent-h\",direction=\"input\",model=\"model-h\","
                  + "namespace=\"ns-h\",team=\"team-h\"} 12.0")
          .contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void aReadinessCheckThatThrowsIsA500WithoutItsText() throws Exception {
    try (HealthServer health =
        new HealthServer(
            0,
            () -> {
              throw new IllegalStateException("lease store at 10.9.8.7 unreachable");
            })) {
      HttpResponse<String> reply = get(health, "/readyz");
      assertThat(reply.statusCode()).isEqualTo(500);
      assertThat(reply.body()).doesNotContain("10.9.8.7");
    }
  }

  private HttpResponse<String> get(HealthServer health, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
