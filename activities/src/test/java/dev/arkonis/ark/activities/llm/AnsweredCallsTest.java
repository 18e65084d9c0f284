package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.TokenUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A retried chat activity whose answer never reached Temporal (the server was down when the worker
 * reported it, and timed the attempt out) gets the answer again without a second model call. The
 * fault suite's {@code FaultSuiteIT.runsSurviveTheTemporalServerKilledAndRestartedOnItsDatabase}
 * shows the same on a real dev server killed with SIGKILL.
 */
class AnsweredCallsTest {
  private Instant now = Instant.parse("2026-12-01T00:00:00Z");
  private final AnsweredCalls answered =
      new AnsweredCalls(
          new Clock() {
            @Override
            public ZoneOffset getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
              return this;
            }

            @Override
            public Instant instant() {
              return now;
            }
          });
  private final AtomicInteger modelCalls = new AtomicInteger();

  private Supplier<ChatResponse> model(int attempt) {
    return () ->
        new ChatResponse(
            "answer " + modelCalls.incrementAndGet(),
            List.of(),
            new TokenUsage(20, 5),
            null,
            List.of(),
            attempt);
  }

  @Test
  void theNextAttemptOfAnAnsweredActivityGetsTheAnswerWithoutCallingTheModel() {
    ChatResponse first = answered.answer("wf/run/1", 1, model(1));
    ChatResponse retry = answered.answer("wf/run/1", 2, model(2));

    assertThat(modelCalls).hasValue(1);
    assertThat(retry.text()).isEqualTo(first.text()).isEqualTo("answer 1");
    assertThat(retry.usage()).isEqualTo(first.usage());
    assertThat(retry.attempt()).isEqualTo(2);
  }

  @Test
  void otherActivitiesAndFailedCallsCallTheModel() {
    answered.answer("wf/run/1", 1, model(1));
    answered.answer("wf/run/2", 1, model(1));
    answered.answer("wf/other-run/1", 1, model(1));
    assertThat(modelCalls).hasValue(3);

    assertThatThrownBy(
            () ->
                answered.answer(
                    "wf/run/3",
                    1,
                    () -> {
                      throw new IllegalStateException("rate limit");
                    }))
        .hasMessage("rate limit");
    assertThat(answered.answer("wf/run/3", 2, model(2)).text()).isEqualTo("answer 4");
  }

  @Test
  void answersAreKeptForALimitedTimeAndNumber() {
    answered.answer("wf/run/1", 1, model(1));
    now = now.plus(AnsweredCalls.KEEP).plus(Duration.ofSeconds(1));
    assertThat(answered.answer("wf/run/1", 2, model(2)).text()).isEqualTo("answer 2");

    for (int i = 0; i < AnsweredCalls.MAX_ENTRIES; i++) {
      answered.answer("wf/many/" + i, 1, model(1));
    }
    int before = modelCalls.get();
    answered.answer("wf/run/1", 3, model(3)); // pushed out by the newer ones
    assertThat(modelCalls).hasValue(before + 1);
  }
}
