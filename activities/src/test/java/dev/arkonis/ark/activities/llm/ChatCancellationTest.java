package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A chat activity heartbeats while its model call is in flight, and a cancellation (a deleted
 * ArkRun cancels its workflow and so its activities) aborts the HTTP call to the provider: here an
 * OpenAI-compatible server that sends its headers and then never finishes the answer.
 */
@Timeout(60)
class ChatCancellationTest {
  private HttpServer server;
  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch clientWentAway = new CountDownLatch(1);
  private TestActivityEnvironment env;
  private final AtomicInteger heartbeats = new AtomicInteger();

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::hang);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    env = TestActivityEnvironment.newInstance();
    env.setActivityHeartbeatListener(Object.class, details -> heartbeats.incrementAndGet());
  }

  @AfterEach
  void tearDown() {
    env.close();
    server.stop(0);
  }

  /** Answers 200 and then a byte of whitespace every 100 ms, until the client closes the socket. */
  private void hang(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    requested.countDown();
    OutputStream out = exchange.getResponseBody();
    try {
      for (int i = 0; i < 600; i++) {
        out.write(' ');
        out.flush();
        Thread.sleep(100);
      }
    } catch (IOException e) {
      clientWentAway.countDown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  @Test
  void cancellingTheActivityAbortsTheModelCall() throws Exception {
    String baseUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    env.registerActivitiesImplementations(
        new AgentActivitiesImpl(
            new ModelFactory(
                Map.of("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", baseUrl), null, null)));
    AgentActivities activities =
        env.newActivityStub(
            AgentActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setHeartbeatTimeout(Duration.ofSeconds(5))
                .build());
    ChatRequest request =
        new ChatRequest(
            "task",
            "write",
            AgentActivitiesImplTest.agent("gpt-4o", "openai"),
            List.of(ChatMessage.user("take your time")),
            null,
            null);

    CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> activities.chat(request));
    assertThat(requested.await(20, TimeUnit.SECONDS)).as("the model was called").isTrue();
    Thread.sleep(InFlightCall.HEARTBEAT_EVERY.toMillis() + 500);
    assertThat(heartbeats.get()).as("heartbeats while the call is in flight").isPositive();
    env.requestCancelActivity();

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(CanceledFailure.class); // the activity ended as cancelled
    assertThat(clientWentAway.await(20, TimeUnit.SECONDS))
        .as("the provider saw the HTTP call aborted")
        .isTrue();
  }
}
