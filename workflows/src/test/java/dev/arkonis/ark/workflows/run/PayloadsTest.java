package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.PayloadLimits;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadsTest {
  private static final int TEXT = PayloadLimits.MAX_TEXT_CHARS;

  private static StepStatus step(String name, String output, Object data) {
    return new StepStatus(
        name, name, "Succeeded", 1, null, null, output, data, TokenUsage.ZERO, null, null, 1);
  }

  private static RunStatus run(String output, StepStatus... steps) {
    return new RunStatus(
        "Succeeded", null, null, output, null, null, TokenUsage.ZERO, List.of(steps));
  }

  @Test
  void aCutTextKeepsItsBeginningAndNamesItsWholeLengthEvenWhenCutAgain() {
    String text = "a".repeat(10_000);
    String once = PayloadLimits.cap(text, 5_000);
    assertThat(once).startsWith("aaaa").endsWith("(truncated; 10000 characters in total)");
    String twice = PayloadLimits.cap(once, 100);
    assertThat(twice)
        .isEqualTo("a".repeat(100) + PayloadLimits.TRUNCATED_MARK + "10000 characters in total)");
    assertThat(PayloadLimits.cap("short", 100)).isEqualTo("short");
    String emoji = "😀".repeat(10); // surrogate pairs are never split
    assertThat(PayloadLimits.cap(emoji, 5)).startsWith("😀😀").doesNotContain("\uD83D\n");
  }

  @Test
  void aStatusWriteCarriesOutputsAsTheArkRunKeepsThemAndDropsLargeData() {
    String big = "b".repeat(100_000);
    RunStatus fitted =
        Payloads.forStatus(run(big, step("a", big, List.of(big)), step("b", "small", Map.of())));
    assertThat(fitted.output()).hasSizeLessThan(PayloadLimits.STATUS_OUTPUT_CHARS + 60);
    assertThat(fitted.steps().get(0).output())
        .hasSizeLessThan(PayloadLimits.STATUS_OUTPUT_CHARS + 60)
        .endsWith("(truncated; 100000 characters in total)");
    assertThat(fitted.steps().get(0).data()).isNull();
    assertThat(fitted.steps().get(1).output()).isEqualTo("small");
    assertThat(fitted.steps().get(1).data()).isEqualTo(Map.of());
  }

  @Test
  void aResultKeepsWholeOutputsWhenTheyFitAndHalvesTheLongestWhenNot() {
    RunStatus small = run("x".repeat(200_000), step("a", "y".repeat(200_000), null));
    assertThat(Payloads.forResult(small)).isSameAs(small);

    StepStatus[] many = new StepStatus[10];
    for (int i = 0; i < many.length; i++) {
      many[i] = step("s" + i, "z".repeat(TEXT), null);
    }
    RunStatus fitted = Payloads.forResult(run("o", many));
    long total = fitted.steps().stream().mapToLong(s -> s.output().length()).sum();
    assertThat(total).isLessThanOrEqualTo(PayloadLimits.MAX_PAYLOAD_CHARS + 10 * 60);
    assertThat(fitted.steps())
        .allSatisfy(s -> assertThat(PayloadLimits.truncated(s.output())).isTrue());
    assertThat(fitted.output()).isEqualTo("o");
  }

  @Test
  void aConversationDropsItsOldestTurnsAfterTheTaskAndSaysHowMany() {
    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.user("the task"));
    for (int turn = 0; turn < 6; turn++) {
      ChatMessage.ToolCall call = new ChatMessage.ToolCall("c" + turn, "lookup", "{}");
      messages.add(ChatMessage.assistant("t" + turn + "x".repeat(TEXT), List.of(call)));
      messages.add(ChatMessage.toolResult(call, "result " + turn));
    }
    Payloads.fitConversation(messages);

    assertThat(Payloads.conversationLength(messages))
        .isLessThanOrEqualTo(PayloadLimits.MAX_PAYLOAD_CHARS);
    assertThat(messages.get(0).text())
        .startsWith("the task")
        .endsWith("left out: 10 messages, to keep the request under the size limit]");
    assertThat(messages.get(1).type()).isEqualTo("assistant");
    assertThat(messages.get(1).text()).startsWith("t5");
    assertThat(messages.get(messages.size() - 1).text()).isEqualTo("result 5");
    assertThat(messages.get(1).text()).endsWith("characters in total)"); // each message cut

    messages.add(ChatMessage.assistant("t6" + "x".repeat(TEXT), List.of()));
    messages.add(ChatMessage.user("again"));
    Payloads.fitConversation(messages);
    assertThat(messages.get(0).text())
        .startsWith("the task")
        .endsWith("left out: 12 messages, to keep the request under the size limit]");
  }
}
