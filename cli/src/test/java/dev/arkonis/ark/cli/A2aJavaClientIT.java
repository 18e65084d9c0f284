package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.a2a.A2A;
import io.a2a.client.Client;
import io.a2a.client.ClientEvent;
import io.a2a.client.TaskEvent;
import io.a2a.client.TaskUpdateEvent;
import io.a2a.client.config.ClientConfig;
import io.a2a.client.transport.jsonrpc.JSONRPCTransport;
import io.a2a.client.transport.jsonrpc.JSONRPCTransportConfig;
import io.a2a.spec.A2AClientException;
import io.a2a.spec.AgentCard;
import io.a2a.spec.AgentSkill;
import io.a2a.spec.Task;
import io.a2a.spec.TaskArtifactUpdateEvent;
import io.a2a.spec.TaskIdParams;
import io.a2a.spec.TaskQueryParams;
import io.a2a.spec.TaskState;
import io.a2a.spec.TextPart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The A2A Java SDK client ({@code io.github.a2asdk:a2a-java-sdk-client}, JSON-RPC transport)
 * against an ArkService served by {@code ark dev} on the real Temporal dev server.
 */
class A2aJavaClientIT {
  @TempDir static Path dir;
  static A2aFixture fixture;
  static AgentCard card;
  static final List<Throwable> ERRORS = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    fixture = new A2aFixture(dir, Duration.ofMillis(3000));
    card = A2A.getAgentCard(fixture.endpoints().get(0));
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  static Client client(boolean streaming, boolean polling, List<ClientEvent> events)
      throws A2AClientException {
    return Client.builder(card)
        .clientConfig(
            new ClientConfig.Builder().setStreaming(streaming).setPolling(polling).build())
        .withTransport(JSONRPCTransport.class, new JSONRPCTransportConfig())
        .addConsumer((event, agentCard) -> events.add(event))
        // the SDK reports the end of a stream as error null
        .streamingErrorHandler(
            e -> {
              if (e != null) {
                ERRORS.add(e);
              }
            })
        .build();
  }

  static String text(Task task) {
    StringBuilder out = new StringBuilder();
    if (task.getArtifacts() != null) {
      task.getArtifacts()
          .forEach(a -> a.parts().forEach(p -> out.append(((TextPart) p).getText())));
    }
    return out.toString();
  }

  @Test
  void theCardNamesTheServiceAndItsAgents() {
    assertThat(card.name()).isEqualTo("helpers");
    assertThat(card.protocolVersion()).isEqualTo("0.3.0");
    assertThat(card.capabilities().streaming()).isTrue();
    assertThat(card.skills().stream().map(AgentSkill::id)).containsExactly("helper-a", "helper-b");
  }

  @Test
  void aMessageIsAnsweredAndItsTaskCanBeRead() throws Exception {
    List<ClientEvent> events = new CopyOnWriteArrayList<>();
    Client client = client(false, false, events);
    client.sendMessage(A2A.toUserMessage("What is a durable workflow?"));
    await().atMost(Duration.ofSeconds(60)).until(() -> !events.isEmpty());
    Task task = ((TaskEvent) events.get(0)).getTask();
    assertThat(task.getStatus().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(text(task)).isNotBlank();
    Task again = client.getTask(new TaskQueryParams(task.getId(), 10));
    assertThat(again.getStatus().state()).isEqualTo(TaskState.COMPLETED);
    assertThat(text(again)).isEqualTo(text(task));
    assertThat(again.getHistory()).hasSize(2);
  }

  @Test
  void aStreamDeliversTheAnswerAndTheFinalState() throws Exception {
    List<ClientEvent> events = new CopyOnWriteArrayList<>();
    client(true, false, events).sendMessage(A2A.toUserMessage("Stream it"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                events.stream()
                    .anyMatch(
                        e ->
                            e instanceof TaskUpdateEvent u
                                && u.getTask().getStatus().state() == TaskState.COMPLETED));
    // the SDK closes the stream itself on the final status (so it reports the end of the stream
    // only when the server's end arrives first): what counts here is that it reported no error;
    // theServerEndsTheStreamAfterTheFinalStatus checks the end on the wire
    assertThat(ERRORS).as("stream errors").isEmpty();
    assertThat(events.get(0)).isInstanceOf(TaskEvent.class);
    assertThat(
            events.stream()
                .filter(
                    e ->
                        e instanceof TaskUpdateEvent u
                            && u.getUpdateEvent() instanceof TaskArtifactUpdateEvent)
                .count())
        .isEqualTo(1);
    TaskUpdateEvent last = (TaskUpdateEvent) events.get(events.size() - 1);
    assertThat(text(last.getTask())).isNotBlank();
  }

  @Test
  void theServerEndsTheStreamAfterTheFinalStatus() throws Exception {
    String request =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/stream\",\"params\":{\"message\":"
            + "{\"role\":\"user\",\"messageId\":\"m-end\",\"kind\":\"message\",\"parts\":"
            + "[{\"kind\":\"text\",\"text\":\"Stream to the end\"}]}}}";
    HttpResponse<java.util.stream.Stream<String>> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(fixture.endpoints().get(0)))
                    .header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(request))
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    // the body is read to its end: a stream the server left open would hang here until the
    // test's timeout
    List<String> data =
        CompletableFuture.supplyAsync(
                () ->
                    response
                        .body()
                        .filter(l -> l.startsWith("data: "))
                        .map(l -> l.substring(6))
                        .toList())
            .get(60, TimeUnit.SECONDS);
    assertThat(data).isNotEmpty();
    assertThat(data.get(data.size() - 1)).contains("\"final\":true").contains("\"completed\"");
  }

  @Test
  void aRunningTaskIsCanceled() throws Exception {
    List<ClientEvent> events = new CopyOnWriteArrayList<>();
    Client client = client(false, true, events);
    client.sendMessage(A2A.toUserMessage("Take your time"));
    await().atMost(Duration.ofSeconds(30)).until(() -> !events.isEmpty());
    Task started = ((TaskEvent) events.get(0)).getTask();
    assertThat(started.getStatus().state()).isEqualTo(TaskState.WORKING);
    Task canceled = client.cancelTask(new TaskIdParams(started.getId()));
    assertThat(canceled.getStatus().state()).isEqualTo(TaskState.CANCELED);
    assertThatThrownBy(() -> client.cancelTask(new TaskIdParams(started.getId())))
        .isInstanceOf(A2AClientException.class);
  }

  @Test
  void anUnknownTaskIsAnError() throws Exception {
    Client client = client(false, false, new CopyOnWriteArrayList<>());
    assertThatThrownBy(() -> client.getTask(new TaskQueryParams(UUID.randomUUID().toString())))
        .isInstanceOf(A2AClientException.class)
        .hasMessageContaining("not found");
  }
}
