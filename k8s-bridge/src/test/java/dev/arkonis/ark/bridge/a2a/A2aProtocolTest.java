package dev.arkonis.ark.bridge.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.bridge.http.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JSON-RPC handling of {@link A2aProtocol} over tasks kept in memory. */
class A2aProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Tasks that finish when the test says so. */
  static final class MemoryTasks implements A2aTasks {
    final Map<String, Task> tasks = new LinkedHashMap<>();
    final Map<String, CompletableFuture<Task>> done = new LinkedHashMap<>();
    String lastText;

    @Override
    public synchronized Task start(String text, String contextId) {
      lastText = text;
      Task task =
          new Task("t" + (tasks.size() + 1), contextId, WORKING, text, null, null, "a", null);
      tasks.put(task.id(), task);
      done.put(task.id(), new CompletableFuture<>());
      return task;
    }

    synchronized void finish(String id, String output) {
      Task t = tasks.get(id);
      Task finished =
          new Task(id, t.contextId(), COMPLETED, t.input(), output, null, t.agent(), null);
      tasks.put(id, finished);
      done.get(id).complete(finished);
    }

    @Override
    public synchronized Optional<Task> get(String id) {
      return Optional.ofNullable(tasks.get(id));
    }

    @Override
    public synchronized CompletionStage<Task> done(String id) {
      return done.get(id);
    }

    @Override
    public synchronized Task cancel(String id) throws Refused {
      Task t =
          get(id)
              .orElseThrow(
                  () -> new Refused(A2aProtocol.TASK_NOT_FOUND, "task " + id + " not found"));
      if (t.terminal()) {
        throw new Refused(A2aProtocol.TASK_NOT_CANCELABLE, "task " + id + " is " + t.state());
      }
      Task canceled = new Task(id, t.contextId(), CANCELED, t.input(), null, "canceled", "a", null);
      tasks.put(id, canceled);
      done.get(id).complete(canceled);
      return canceled;
    }
  }

  final MemoryTasks tasks = new MemoryTasks();
  final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  final A2aProtocol protocol = new A2aProtocol(tasks, Duration.ofMillis(300), timers);

  @AfterEach
  void stop() {
    timers.shutdownNow();
  }

  JsonNode call(String body) throws Exception {
    Reply reply =
        protocol.handle(body.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.stream()).isNull();
    return JSON.readTree(reply.body());
  }

  static String send(String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  static final String MESSAGE =
      "{\"message\":{\"role\":\"user\",\"messageId\":\"m1\",\"parts\":[{\"kind\":\"text\",\"text\":\"hello\"}]}";

  @Test
  void notJsonIsAParseError() throws Exception {
    JsonNode answer = call("{not json");
    assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32700);
    assertThat(answer.path("id").isNull()).isTrue();
    assertThat(answer.toString()).doesNotContain("at com.fasterxml");
  }

  @Test
  void aRequestWithoutJsonrpcOrMethodIsInvalid() throws Exception {
    assertThat(call("[1]").path("error").path("code").asInt()).isEqualTo(-32600);
    JsonNode noVersion = call("{\"id\":1,\"method\":\"tasks/get\"}");
    assertThat(noVersion.path("error").path("code").asInt()).isEqualTo(-32600);
    assertThat(noVersion.path("id").asInt()).isEqualTo(1);
    assertThat(call("{\"jsonrpc\":\"2.0\",\"id\":1}").path("error").path("message").asText())
        .contains("\"method\"");
  }

  @Test
  void anUnknownMethodIsNamed() throws Exception {
    JsonNode answer = call(send("tasks/list", "{}"));
    assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32601);
    assertThat(answer.path("error").path("message").asText())
        .contains("tasks/list", "message/send");
    assertThat(answer.path("id").asInt()).isEqualTo(7);
  }

  @Test
  void badParamsNameTheField() throws Exception {
    JsonNode noMessage = call(send("message/send", "{}"));
    assertThat(noMessage.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(noMessage.path("error").path("message").asText()).contains("params.message");
    JsonNode noParts = call(send("message/send", "{\"message\":{\"role\":\"user\",\"parts\":[]}}"));
    assertThat(noParts.path("error").path("message").asText()).contains("params.message.parts");
    JsonNode file =
        call(
            send(
                "message/send",
                "{\"message\":{\"role\":\"user\",\"parts\":[{\"kind\":\"file\",\"file\":{\"uri\":\"x\"}}]}}"));
    assertThat(file.path("error").path("code").asInt()).isEqualTo(-32005);
    assertThat(file.path("error").path("message").asText()).contains("parts[0]");
    assertThat(call(send("tasks/get", "{}")).path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(tasks.tasks).isEmpty();
  }

  @Test
  void aBlockingSendAnswersWithTheCompletedTask() throws Exception {
    CompletableFuture<Reply> reply =
        protocol
            .handle(send("message/send", MESSAGE + "}").getBytes(StandardCharsets.UTF_8))
            .toCompletableFuture();
    assertThat(reply).isNotDone();
    tasks.finish("t1", "the answer");
    JsonNode task = JSON.readTree(reply.get().body()).path("result");
    assertThat(task.path("kind").asText()).isEqualTo("task");
    assertThat(task.path("status").path("state").asText()).isEqualTo("completed");
    assertThat(task.path("artifacts").get(0).path("parts").get(0).path("text").asText())
        .isEqualTo("the answer");
    assertThat(task.path("history").get(0).path("role").asText()).isEqualTo("user");
    assertThat(task.path("history").get(1).path("role").asText()).isEqualTo("agent");
    assertThat(tasks.lastText).isEqualTo("hello");
  }

  @Test
  void aBlockingSendStillWorkingAfterTheWaitAnswersWithTheWorkingTask() throws Exception {
    JsonNode task = call(send("message/send", MESSAGE + "}")).path("result");
    assertThat(task.path("status").path("state").asText()).isEqualTo("working");
    assertThat(task.path("artifacts")).isEmpty();
  }

  @Test
  void aNonBlockingSendAnswersAtOnceAndTasksGetAndCancelFollowIt() throws Exception {
    JsonNode task =
        call(send("message/send", MESSAGE + ",\"configuration\":{\"blocking\":false}}"))
            .path("result");
    String id = task.path("id").asText();
    assertThat(task.path("status").path("state").asText()).isEqualTo("working");
    assertThat(task.path("contextId").asText()).isNotBlank();
    JsonNode got = call(send("tasks/get", "{\"id\":\"" + id + "\",\"historyLength\":0}"));
    assertThat(got.path("result").path("history")).isEmpty();
    JsonNode canceled = call(send("tasks/cancel", "{\"id\":\"" + id + "\"}"));
    assertThat(canceled.path("result").path("status").path("state").asText()).isEqualTo("canceled");
    JsonNode again = call(send("tasks/cancel", "{\"id\":\"" + id + "\"}"));
    assertThat(again.path("error").path("code").asInt()).isEqualTo(-32002);
  }

  @Test
  void anUnknownTaskIsTaskNotFound() throws Exception {
    JsonNode got = call(send("tasks/get", "{\"id\":\"nope\"}"));
    assertThat(got.path("error").path("code").asInt()).isEqualTo(-32001);
    assertThat(got.path("error").path("message").asText()).contains("nope");
    assertThat(call(send("tasks/cancel", "{\"id\":\"nope\"}")).path("error").path("code").asInt())
        .isEqualTo(-32001);
  }

  @Test
  void aMessageToAnExistingTaskIsRefused() throws Exception {
    tasks.start("first", "c");
    tasks.finish("t1", "done");
    JsonNode answer =
        call(
            send(
                "message/send",
                "{\"message\":{\"role\":\"user\",\"taskId\":\"t1\",\"parts\":[{\"kind\":\"text\",\"text\":\"more\"}]}}"));
    assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32602);
    assertThat(answer.path("error").path("message").asText()).contains("t1", "completed");
  }

  @Test
  void pushNotificationsAreNotSupported() throws Exception {
    assertThat(
            call(send("tasks/pushNotificationConfig/set", "{}")).path("error").path("code").asInt())
        .isEqualTo(-32003);
  }

  @Test
  void aStreamIsAnEventStreamReply() throws Exception {
    Reply reply =
        protocol
            .handle(send("message/stream", MESSAGE + "}").getBytes(StandardCharsets.UTF_8))
            .toCompletableFuture()
            .get();
    assertThat(reply.stream()).isNotNull();
    assertThat(tasks.tasks).containsKey("t1");
  }

  @Test
  void dataPartsReachTheAgentAsJson() throws Exception {
    protocol.handle(
        send(
                "message/send",
                "{\"message\":{\"role\":\"user\",\"parts\":[{\"kind\":\"text\",\"text\":\"sum\"},{\"kind\":\"data\",\"data\":{\"a\":1}}]},\"configuration\":{\"blocking\":false}}")
            .getBytes(StandardCharsets.UTF_8));
    assertThat(tasks.lastText).isEqualTo("sum\n{\"a\":1}");
  }
}
