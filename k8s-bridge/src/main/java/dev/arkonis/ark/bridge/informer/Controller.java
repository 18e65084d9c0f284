package dev.arkonis.ark.bridge.informer;

import dev.arkonis.ark.bridge.reconcile.Reconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A level-based controller for one kind. Informer handlers only enqueue {@code namespace/name} keys
 * into a de-duplicating queue; worker threads take keys and call the {@link Reconciler}; a key is
 * never reconciled by two threads at once. A failed reconcile is requeued with exponential backoff
 * ({@link Settings#minBackoff} doubling up to {@link Settings#maxBackoff}); a periodic resync
 * re-enqueues every cached object of the kind. Updates the reconciler or a watch does not act on
 * ({@link Reconciler#reconcilesUpdate}, {@link Watch#updates}: e.g. status writes) enqueue nothing.
 */
public final class Controller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

  /**
   * @param workers threads calling the reconciler
   * @param minBackoff delay after the first failure of a key
   * @param maxBackoff cap of the doubling delay
   * @param resync period of re-enqueueing every cached object (zero or negative: never)
   */
  public record Settings(int workers, Duration minBackoff, Duration maxBackoff, Duration resync) {
    public static Settings defaults() {
      return new Settings(2, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(5));
    }
  }

  private final Reconciler reconciler;
  private final Supplier<? extends Collection<ObjectKey>> allKeys;
  private final Settings settings;
  private final WorkQueue queue = new WorkQueue();
  private final Map<ObjectKey, Integer> failures = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean started;

  /**
   * @param allKeys the keys of every cached object of the primary kind (for the resync)
   */
  public Controller(
      Reconciler reconciler, Supplier<? extends Collection<ObjectKey>> allKeys, Settings settings) {
    this.reconciler = reconciler;
    this.allKeys = allKeys;
    this.settings = settings;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "ark-" + reconciler.kind().toLowerCase() + "-timer"));
  }

  public String kind() {
    return reconciler.kind();
  }

  /** Queues a key for reconciliation (never blocks). */
  public void enqueue(ObjectKey key) {
    queue.add(key);
  }

  /** Keys waiting to be reconciled (not counting the ones being reconciled). */
  public int queued() {
    return queue.size();
  }

  /** Starts the workers and the resync timer. Keys enqueued before are processed now. */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    for (int i = 0; i < Math.max(1, settings.workers()); i++) {
      Thread worker = daemon(this::work, "ark-" + kind().toLowerCase() + "-worker-" + i);
      workers.add(worker);
      worker.start();
    }
    long resync = settings.resync().toMillis();
    if (resync > 0) {
      timer.scheduleAtFixedRate(this::resync, resync, resync, TimeUnit.MILLISECONDS);
    }
  }

  /** Re-enqueues every cached object of the primary kind. */
  public void resync() {
    allKeys.get().forEach(queue::add);
  }

  @Override
  public void close() {
    queue.shutDown();
    timer.shutdownNow();
    for (Thread worker : workers) {
      try {
        worker.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      worker.interrupt();
    }
  }

  /** The handler of the primary kind's informer: every event enqueues the object's key. */
  ResourceEventHandler<HasMetadata> primaryHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata object) {
        enqueue(ObjectKey.of(object));
      }

      @Override
      public void onUpdate(HasMetadata old, HasMetadata object) {
        if (reconciler.reconcilesUpdate(old, object)) {
          enqueue(ObjectKey.of(object));
        }
      }

      @Override
      public void onDelete(HasMetadata object, boolean finalStateUnknown) {
        enqueue(ObjectKey.of(object));
      }
    };
  }

  /** The handler of a related kind's informer: each event enqueues the primaries it maps to. */
  <T extends HasMetadata> ResourceEventHandler<T> secondaryHandler(Watch<T> watch, Caches caches) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        map(object);
      }

      @Override
      public void onUpdate(T old, T object) {
        if (!watch.updates().test(old, object)) {
          return;
        }
        map(old);
        map(object);
      }

      @Override
      public void onDelete(T object, boolean finalStateUnknown) {
        map(object);
      }

      private void map(T object) {
        try {
          watch.mapper().keys(object, caches).forEach(Controller.this::enqueue);
        } catch (RuntimeException e) {
          LOG.warn(
              "{} watch on {} failed for {}", kind(), watch.type().getSimpleName(), key(object), e);
        }
      }
    };
  }

  private void work() {
    while (true) {
      ObjectKey key;
      try {
        key = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (key == null) {
        return;
      }
      try {
        reconciler.reconcile(key.namespace(), key.name());
        failures.remove(key);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        retryLater(key, e);
      } finally {
        queue.done(key);
      }
    }
  }

  private void retryLater(ObjectKey key, Exception error) {
    int attempt = failures.merge(key, 1, Integer::sum);
    Duration delay = backoff(attempt, settings.minBackoff(), settings.maxBackoff());
    if (error instanceof KubernetesClientException k && k.getCode() == 409) {
      LOG.debug("{} {}: conflict, retrying in {}: {}", kind(), key, delay, error.getMessage());
    } else if (error instanceof ReportedException) {
      LOG.debug(
          "{} {}: {} (on the object), retrying in {}", kind(), key, error.getMessage(), delay);
    } else {
      LOG.warn(
          "{} {}: reconcile failed (attempt {}), retrying in {}: {}",
          kind(),
          key,
          attempt,
          delay,
          error.toString());
      LOG.debug("{} {}: reconcile failure", kind(), key, error);
    }
    if (!timer.isShutdown()) {
      timer.schedule(() -> queue.add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** {@code min * 2^(attempt-1)}, at most {@code max}. */
  static Duration backoff(int attempt, Duration min, Duration max) {
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    long millis = min.toMillis() << shift;
    return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
  }

  private static String key(HasMetadata object) {
    return object == null ? "null" : ObjectKey.of(object).toString();
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }
}
