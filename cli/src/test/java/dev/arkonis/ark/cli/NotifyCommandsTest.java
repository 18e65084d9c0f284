package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark dev} delivers ArkNotify messages like the operator: a folder with a team, its
 * ArkNotify, the Slack Secret and an ArkRun posts the rendered message to a real local receiver.
 * {@code ark run} sends none and says so.
 */
class NotifyCommandsTest {
  @Test
  void arkRunSaysItSendsNoNotifications(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("team.yaml");
    Files.writeString(
        file,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: echo}
        spec:
          notifyRef: {name: alerts}
          roles: [{name: echo, model: mock-model}]
          pipeline: [{role: echo, inputs: {prompt: "hello"}}]
        """);

    Cli result = Cli.run("run", "--provider", "mock", file.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err())
        .contains(
            "note: ArkNotify alerts gets no events from `ark run`; the operator and `ark dev`"
                + " deliver notifications");
  }

  @Test
  void aRunOfTheFolderSendsItsSlackMessage(@TempDir Path dir) throws Exception {
    List<String> bodies = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    try {
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/services/T/B/x";
      Files.writeString(
          dir.resolve("team.yaml"),
          """
          apiVersion: v1
          kind: Secret
          metadata: {name: slack, namespace: ark-teams}
          stringData: {webhookUrl: "%s"}
          ---
          apiVersion: arkonis.dev/v1alpha1
          kind: ArkNotify
          metadata: {name: alerts, namespace: ark-teams}
          spec:
            channel:
              type: slack
              slack: {webhookUrlSecretRef: {name: slack, key: webhookUrl}}
            events:
            - type: TeamSucceeded
              template: "{{ .team.name }} answered {{ .run.spec.input.message }}"
          ---
          apiVersion: arkonis.dev/v1alpha1
          kind: ArkTeam
          metadata: {name: echo, namespace: ark-teams}
          spec:
            notifyRef: {name: alerts}
            roles: [{name: echo, model: mock-model}]
            pipeline: [{role: echo, inputs: {prompt: "{{ .input.message }}"}}]
          ---
          apiVersion: arkonis.dev/v1alpha1
          kind: ArkRun
          metadata: {name: echo-1, namespace: ark-teams}
          spec: {teamRef: {name: echo}, input: {message: ping}}
          """
              .formatted(url));
      try (DevRuntime dev = new DevRuntime(dir, 0, "mock", Duration.ZERO)) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !bodies.isEmpty());
        assertThat(bodies).containsExactly("{\"text\":\"echo answered ping\"}");
      }
    } finally {
      receiver.stop(0);
    }
  }
}
