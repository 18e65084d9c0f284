package dev.arkonis.ark.bridge.informer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.bridge.reconcile.Reconciler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ControllerTest {
  private static final Controller.Settings FAST =
      new Controller.Settings(4, Duration.ofMillis(10), Duration.ofMillis(80), Duration.ZERO);

  @Test
  void queueHoldsAKeyOnceAndRequeuesAKeyAddedWhileProcessing() throws InterruptedException {
    WorkQueue queue = new WorkQueue();
    ObjectKey a = new ObjectKey("ns", "a");
    queue.add(a);
    queue.add(a);
    queue.add(new ObjectKey("ns", "b"));
    assertThat(queue.size()).isEqualTo(2);
    assertThat(queue.take()).isEqualTo(a);
    queue.add(a); // while processing: not handed out again yet
    assertThat(queue.take()).isEqualTo(new ObjectKey("ns", "b"));
    assertThat(queue.size()).isZero();
    queue.done(a);
    assertThat(queue.take()).isEqualTo(a);
  }

  @Test
  void aKeyIsNeverReconciledByTwoThreadsAtOnce() throws Exception {
    Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Reconciler slow =
        reconciler(
            (namespace, name) -> {
              AtomicInteger count = inFlight.computeIfAbsent(name, n -> new AtomicInteger());
              if (count.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              if (calls.incrementAndGet() == 1) {
                first.countDown();
                release.await(5, TimeUnit.SECONDS);
              }
              count.decrementAndGet();
            });
    try (Controller controller = new Controller(slow, List::of, FAST)) {
      ObjectKey key = new ObjectKey("ns", "a");
      controller.enqueue(key);
      controller.start();
      assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 10; i++) {
        controller.enqueue(key);
      }
      release.countDown();
      await().until(() -> calls.get() == 2);
      assertThat(overlaps.get()).isZero();
    }
  }

  @Test
  void aFailureIsRetriedWithBackoffUntilItSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    Reconciler flaky =
        reconciler(
            (namespace, name) -> {
              if (calls.incrementAndGet() < 4) {
                throw new IllegalStateException("not yet");
              }
            });
    try (Controller controller = new Controller(flaky, List::of, FAST)) {
      controller.start();
      controller.enqueue(new ObjectKey("ns", "a"));
      await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() == 4);
    }
  }

  @Test
  void backoffDoublesUpToTheCap() {
    Duration min = Duration.ofSeconds(1);
    Duration max = Duration.ofMinutes(5);
    assertThat(Controller.backoff(1, min, max)).isEqualTo(Duration.ofSeconds(1));
    assertThat(Controller.backoff(2, min, max)).isEqualTo(Duration.ofSeconds(2));
    assertThat(Controller.backoff(5, min, max)).isEqualTo(Duration.ofSeconds(16));
    assertThat(Controller.backoff(9, min, max)).isEqualTo(Duration.ofSeconds(256));
    assertThat(Controller.backoff(10, min, max)).isEqualTo(max);
    assertThat(Controller.backoff(1000, min, max)).isEqualTo(max);
  }

  @Test
  void resyncEnqueuesEveryCachedKey() {
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    Reconciler counting =
        reconciler(
            (namespace, name) ->
                seen.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet());
    List<ObjectKey> cached = List.of(new ObjectKey("ns", "a"), new ObjectKey("other", "b"));
    Controller.Settings resyncing =
        new Controller.Settings(
            1, Duration.ofMillis(10), Duration.ofMillis(80), Duration.ofMillis(50));
    try (Controller controller = new Controller(counting, () -> cached, resyncing)) {
      controller.start();
      await().until(() -> seen.size() == 2 && seen.get("a").get() >= 2);
    }
  }

  interface Body {
    void run(String namespace, String name) throws Exception;
  }

  private static Reconciler reconciler(Body body) {
    return new Reconciler() {
      @Override
      public String kind() {
        return "Test";
      }

      @Override
      public void reconcile(String namespace, String name) throws Exception {
        body.run(namespace, name);
      }
    };
  }
}
