package dev.arkonis.ark.activities.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The vector-store logic on langchain4j's in-memory store with the real all-MiniLM-L6-v2. */
class VectorMemoryTest {
  private final MutableClock clock = new MutableClock();

  @Test
  void recallsTheMostRelevantMemoryOfTheSameAgentOnly() {
    VectorMemory memory =
        new VectorMemory(new InMemoryEmbeddingStore<TextSegment>(), 0, clock, () -> {});
    memory.store("analyst", "The capital of Freedonia is Zorbtown.");
    memory.store("analyst", "Bananas are yellow and rich in potassium.");
    memory.store("writer", "The capital of Freedonia is Elsewhere.");

    assertThat(memory.recall("analyst", "What is the capital city of Freedonia?", 1))
        .containsExactly("The capital of Freedonia is Zorbtown.");
    assertThat(memory.recall("analyst", "Which fruit is yellow?", 1))
        .containsExactly("Bananas are yellow and rich in potassium.");
    assertThat(memory.recall("analyst", "capital", 5)).hasSize(2);
  }

  @Test
  void memoriesOlderThanTheTtlAreNotRecalledAndAreRemoved() {
    InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
    VectorMemory memory = new VectorMemory(store, 60, clock, () -> {});
    memory.store("analyst", "old fact about Freedonia");
    clock.advance(Duration.ofSeconds(61));
    assertThat(memory.recall("analyst", "Freedonia", 5)).isEmpty();
    memory.store("analyst", "new fact about Freedonia");
    assertThat(memory.recall("analyst", "Freedonia", 5))
        .containsExactly("new fact about Freedonia");
  }

  static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

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
  }
}
