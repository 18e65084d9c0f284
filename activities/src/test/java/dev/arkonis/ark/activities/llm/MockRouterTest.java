package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mock model answers a router request by word overlap, tags counting double. */
class MockRouterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CAPABILITIES =
      "[{\"agent\":\"billing\",\"capability\":\"billing.refunds\",\"description\":\"Refunds and"
          + " invoices\",\"tags\":[\"refund\",\"payment\"]},"
          + "{\"agent\":\"support\",\"capability\":\"support.login\",\"description\":\"Login"
          + " problems and refunds of licences\",\"tags\":[\"login\",\"password\"]}]";

  private static JsonNode route(String task) throws Exception {
    String request =
        "Task:\n"
            + task
            + "\n\n"
            + RoutingPlan.CAPABILITIES_MARKER
            + "\n"
            + CAPABILITIES
            + "\n\n"
            + ChatRequest.SCHEMA_MARKER
            + "\n{\"type\":\"object\"}";
    String answer =
        new MockChatModel()
            .chat(List.of(SystemMessage.from(RoutingPlan.ROUTER_PROMPT), UserMessage.from(request)))
            .aiMessage()
            .text();
    return JSON.readTree(answer);
  }

  @Test
  void tagsOutweighDescriptionWords() throws Exception {
    // "refunds" is in both descriptions, the tag "payment" only in billing's
    JsonNode answer = route("Two refunds for one payment?");
    assertThat(answer.path("agent").asText()).isEqualTo("billing");
    assertThat(answer.path("capability").asText()).isEqualTo("billing.refunds");
    assertThat(answer.path("reason").asText())
        .isEqualTo(
            "mock router: the task matches tags [refund, payment] and description words [] (score"
                + " 4)");
  }

  @Test
  void theBestOverlapWinsWhateverTheOrder() throws Exception {
    assertThat(route("I forgot my password and the login fails").path("agent").asText())
        .isEqualTo("support");
  }

  @Test
  void noSharedWordAnswersNone() throws Exception {
    JsonNode answer = route("What is the weather tomorrow?");
    assertThat(answer.path("agent").asText()).isEqualTo(RoutingPlan.NO_MATCH);
    assertThat(answer.path("capability").asText()).isEmpty();
  }

  @Test
  void otherRequestsAreNotRouted() {
    assertThat(MockRouter.answer("Summarise the refunds policy")).isEmpty();
  }
}
