package dev.arkonis.ark.workflows.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateWindowsTest {
  @Test
  void allowsMaxPerWindowThenFreesAsTheWindowSlides() {
    RateWindows windows = new RateWindows(Map.of());
    assertThat(windows.allow("b", 0, 10, 2)).isTrue();
    assertThat(windows.allow("b", 4_000, 10, 2)).isTrue();
    assertThat(windows.allow("b", 9_000, 10, 2)).isFalse();
    assertThat(windows.allow("other", 9_000, 10, 2)).isTrue();
    assertThat(windows.allow("b", 10_001, 10, 2)).isTrue(); // the first send left the window
    assertThat(windows.allow("b", 13_000, 10, 2)).isFalse();
    assertThat(windows.snapshot()).containsEntry("b", List.of(4_000L, 10_001L));
  }

  @Test
  void noLimitWhenUnset() {
    RateWindows windows = new RateWindows(Map.of("b", List.of(1L)));
    for (int i = 0; i < 100; i++) {
      assertThat(windows.allow("b", i, 0, 0)).isTrue();
    }
  }

  @Test
  void recentKeysForgetTheOldestBeyondTheBound() {
    RecentKeys keys = new RecentKeys(List.of("a", "b"), 3);
    assertThat(keys.add("a")).isFalse();
    assertThat(keys.add("c")).isTrue();
    assertThat(keys.add("d")).isTrue();
    assertThat(keys.snapshot()).containsExactly("b", "c", "d");
    assertThat(keys.add("a")).isTrue();
  }
}
