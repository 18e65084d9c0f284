package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's {@code prometheus}) scrapes a running {@code ark dev} (the built jar
 * in its own process, the mock model, in-process API server and Temporal) every second; after a run
 * of a team finishes, PromQL over Prometheus' HTTP API returns exactly the run's tokens (as the
 * mock model reported them and the ArkRun's status sums them), the run counted by its final phase,
 * and the Temporal SDK's worker metrics. {@code promtool check metrics} finds nothing to complain
 * about in the scraped text.
 */
class PrometheusMetricsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern METRICS_PORT = Pattern.compile("metrics on :(\\d+)/metrics");

  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
  private static final String TEAM = "metrics-" + SUFFIX;
  private static final String RUN = TEAM + "-1";

  private static String prometheusBinary;
  private static String promtool;
  private static Path work;
  private static Process dev;
  private static Path devOut;
  private static Process prometheus;
  private static Path prometheusOut;
  private static int metricsPort;
  private static int prometheusPort;

  @BeforeAll
  static void start() throws Exception {
    prometheusBinary = required("ARK_TEST_PROMETHEUS", "the prometheus binary");
    promtool = required("ARK_TEST_PROMTOOL", "the promtool binary");
    work = Files.createDirectories(Cli.repoRoot().resolve("cli/target/prometheus-it-" + SUFFIX));
    Path folder = Files.createDirectories(work.resolve("manifests"));
    Files.writeString(folder.resolve("team.yaml"), team());
    devOut = work.resolve("ark-dev.out");
    dev =
        new ProcessBuilder(
                TestCluster.java(),
                "-Xmx384m",
                "-jar",
                TestCluster.jar().toString(),
                "dev",
                folder.toString(),
                "--provider",
                "mock",
                "--port",
                "0",
                "--webhook-port",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(devOut.toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!dev.isAlive()) {
                fail("ark dev exited with " + dev.exitValue() + ":\n" + devLog());
              }
              return devLog().contains("(Ctrl-C to stop)");
            });
    Matcher port = METRICS_PORT.matcher(devLog());
    assertThat(port.find()).as("ark dev names its metrics port:\n%s", devLog()).isTrue();
    metricsPort = Integer.parseInt(port.group(1));

    prometheusPort = freePort();
    Path config = work.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: ark-dev
            metrics_path: /metrics
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """
            .formatted(metricsPort));
    prometheusOut = work.resolve("prometheus.out");
    prometheus =
        new ProcessBuilder(
                prometheusBinary,
                "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + prometheusPort)
            .redirectErrorStream(true)
            .redirectOutput(prometheusOut.toFile())
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process process : new Process[] {prometheus, dev}) {
      if (process != null) {
        process.destroy();
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  @Test
  void prometheusHasTheTokensOfTheFinishedRun() throws Exception {
    Pattern finished =
        Pattern.compile(
            "run "
                + Pattern.quote(RUN)
                + ": Succeeded \\(tokens (\\d+): input (\\d+), output (\\d+)\\)");
    Matcher[] line = new Matcher[1];
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!dev.isAlive()) {
                fail("ark dev exited with " + dev.exitValue() + ":\n" + devLog());
              }
              line[0] = finished.matcher(devLog());
              return line[0].find();
            });
    long input = Long.parseLong(line[0].group(2));
    long output = Long.parseLong(line[0].group(3));
    assertThat(input).isPositive();
    assertThat(output).isPositive();

    Map<String, Double> byDirection = new HashMap<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              byDirection.clear();
              for (JsonNode series :
                  query("sum by (direction) (ark_llm_tokens_total{team=\"" + TEAM + "\"})")) {
                byDirection.put(
                    series.path("metric").path("direction").asText(),
                    series.path("value").get(1).asDouble());
              }
              assertThat(byDirection)
                  .as("tokens of team %s in Prometheus", TEAM)
                  .containsEntry("input", (double) input)
                  .containsEntry("output", (double) output);
            });

    JsonNode runs = query("ark_runs_total{team=\"" + TEAM + "\"}");
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).path("metric").path("phase").asText()).isEqualTo("Succeeded");
    assertThat(runs.get(0).path("value").get(1).asDouble()).isEqualTo(1.0);
    assertThat(query("ark_run_duration_seconds_count{team=\"" + TEAM + "\"}")).hasSize(1);
    assertThat(query("ark_step_duration_seconds_count{team=\"" + TEAM + "\",role=\"writer\"}"))
        .hasSize(1);
    assertThat(query("ark_llm_call_duration_seconds_count{provider=\"mock\",outcome=\"success\"}"))
        .isNotEmpty();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(query("{__name__=~\"temporal_.+\"}"))
                    .as("the Temporal SDK's worker metrics")
                    .isNotEmpty());
  }

  @Test
  void promtoolFindsTheMetricsClean() throws Exception {
    HttpResponse<String> scrape =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("content-type").orElse(""))
        .startsWith("text/plain; version=0.0.4");
    assertThat(scrape.body()).contains("# TYPE ark_llm_tokens_total counter");
    Path text = work.resolve("metrics.txt");
    Files.writeString(text, scrape.body());
    Process check =
        new ProcessBuilder(promtool, "check", "metrics")
            .redirectInput(text.toFile())
            .redirectErrorStream(true)
            .start();
    String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(report).as("promtool check metrics").isEmpty();
    assertThat(check.exitValue()).as("promtool check metrics: %s", report).isZero();
  }

  /** The result vector of an instant PromQL query. */
  private static JsonNode query(String promql) throws IOException, InterruptedException {
    URI uri =
        URI.create(
            "http://127.0.0.1:"
                + prometheusPort
                + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    HttpResponse<String> response;
    try {
      response =
          HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("Prometheus is not answering yet:\n" + prometheusLog(), e);
    }
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText())
        .as("%s: %s", promql, response.body())
        .isEqualTo("success");
    return body.path("data").path("result");
  }

  private static String team() {
    return """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: %s
        spec:
          roles:
            - name: researcher
              model: mock-model
              systemPrompt: "You research."
            - name: writer
              model: mock-model
              systemPrompt: "You write."
          pipeline:
            - role: researcher
              inputs:
                prompt: "List three facts about metrics."
            - role: writer
              dependsOn: [researcher]
              inputs:
                prompt: "Write a paragraph from: {{ .steps.researcher.output }}"
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata:
          name: %s
        spec:
          teamRef:
            name: %s
        """
        .formatted(TEAM, RUN, TEAM);
  }

  private static String required(String variable, String what) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      fail(variable + " is not set (" + what + "): run the tests with scripts/test");
    }
    return value;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String devLog() throws IOException {
    return Files.exists(devOut) ? Files.readString(devOut) : "";
  }

  private static String prometheusLog() throws IOException {
    return Files.exists(prometheusOut) ? Files.readString(prometheusOut) : "";
  }
}
