package dev.arkonis.ark.activities.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InContextMemoryTest {
  @TempDir Path dir;

  @Test
  void recentSummariesNewestFirstSurviveANewWorkerAndStayPerAgent() {
    InContextMemory first = new InContextMemory(dir);
    first.store("analyst", "one");
    first.store("analyst", "two");
    first.store("writer", "other agent");

    // a new instance on the same folder: what a restarted worker sees
    InContextMemory restarted = new InContextMemory(dir);
    assertThat(restarted.recall("analyst", "anything", 5)).containsExactly("two", "one");
    assertThat(restarted.recall("analyst", "anything", 1)).containsExactly("two");
    assertThat(restarted.recall("writer", "anything", 5)).containsExactly("other agent");
    assertThat(restarted.recall("nobody", "anything", 5)).isEmpty();
  }

  @Test
  void keepsOnlyTheNewestSummaries() {
    InContextMemory memory = new InContextMemory(dir);
    for (int i = 0; i < InContextMemory.KEEP + 5; i++) {
      memory.store("analyst", "task " + i);
    }
    assertThat(memory.recall("analyst", "q", 100))
        .hasSize(InContextMemory.KEEP)
        .first()
        .isEqualTo("task " + (InContextMemory.KEEP + 4));
  }
}
