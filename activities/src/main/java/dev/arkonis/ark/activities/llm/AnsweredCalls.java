package dev.arkonis.ark.activities.llm;

import dev.arkonis.ark.workflows.api.ChatResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The answers this worker got for its chat activities, so that a retry of an activity whose answer
 * never reached Temporal does not call the model again. That happens when the worker finished the
 * model call but could not report it in time — the Temporal server was down or restarting — and the
 * server timed the attempt out and scheduled another: the next attempt of the same activity (same
 * workflow run and activity id) on this worker gets the answer it already paid for. A worker that
 * died took its answers with it; another worker calls the model again.
 *
 * <p>Bounded: the newest {@value #MAX_ENTRIES} answers, each for {@link #KEEP}.
 */
final class AnsweredCalls {
  static final int MAX_ENTRIES = 256;
  static final Duration KEEP = Duration.ofMinutes(15);

  private record Entry(ChatResponse response, Instant at) {}

  private final Clock clock;
  private final Map<String, Entry> answers =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  AnsweredCalls(Clock clock) {
    this.clock = clock;
  }

  /**
   * The answer kept for activity {@code key}, under this {@code attempt} number; else {@code
   * call}'s answer, kept when the call succeeds.
   */
  ChatResponse answer(String key, int attempt, Supplier<ChatResponse> call) {
    Entry kept;
    synchronized (answers) {
      kept = answers.remove(key);
    }
    if (kept != null && kept.at().plus(KEEP).isAfter(clock.instant())) {
      ChatResponse r = kept.response();
      ChatResponse again =
          new ChatResponse(
              r.text(),
              r.toolCalls(),
              r.usage(),
              r.data(),
              r.schemaViolations(),
              attempt,
              r.cutOff());
      remember(key, again);
      return again;
    }
    ChatResponse response = call.get();
    remember(key, response);
    return response;
  }

  private void remember(String key, ChatResponse response) {
    synchronized (answers) {
      answers.put(key, new Entry(response, clock.instant()));
    }
  }
}
