package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ark run} in a process of its own exports its run's trace over OTLP (http/protobuf) when
 * the standard {@code OTEL_*} variables ask for it, and sends nothing when they are unset. The
 * receiver is a local HTTP endpoint recording what is posted to {@code /v1/traces}.
 */
class RunTracingExportTest {
  private HttpServer receiver;
  private final List<byte[]> posts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          posts.add(exchange.getRequestBody().readAllBytes());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  private String arkRun(Map<String, String> env) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                RunCommandTest.blogWriter(),
                "--provider",
                "mock",
                "--input",
                "{\"topic\": \"traces\"}"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    process.getInputStream().transferTo(out);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String output = out.toString(StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("ark run: %s", output).isZero();
    return output;
  }

  @Test
  void aRunIsExportedOverOtlpWhenTheEndpointIsSet() throws Exception {
    arkRun(
        Map.of(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://127.0.0.1:" + receiver.getAddress().getPort(),
            "OTEL_SERVICE_NAME",
            "ark-test"));

    String exported =
        posts.stream()
            .map(b -> new String(b, StandardCharsets.ISO_8859_1))
            .reduce("", String::concat);
    assertThat(posts).isNotEmpty();
    assertThat(exported)
        .contains("StartWorkflow:TeamRun", "ark.run", "ark.step researcher", "ark.step editor")
        .contains("gen_ai.request.model", "gen_ai.usage.input_tokens", "ark-test")
        .doesNotContain("gen_ai.input.messages");
  }

  @Test
  void settingsTheSdkRefusesLeaveTracingOffWithOneLine() throws Exception {
    String output =
        arkRun(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://127.0.0.1:" + receiver.getAddress().getPort(),
                "OTEL_EXPORTER_OTLP_PROTOCOL",
                "grpc"));

    assertThat(output)
        .contains("warning: tracing is off: the OTEL_* settings were refused")
        .doesNotContain("\tat ");
    assertThat(posts).isEmpty();
  }

  @Test
  void nothingIsExportedWhenTheVariablesAreUnset() throws Exception {
    arkRun(Map.of());

    assertThat(posts).isEmpty();
  }
}
