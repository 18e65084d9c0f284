package dev.arkonis.ark.bridge.informer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * A de-duplicating work queue with the semantics of client-go's: a key waiting in the queue is
 * queued once however often it is added; a key being processed is never handed to a second thread —
 * when it is added meanwhile it is queued again once {@link #done} is called.
 */
final class WorkQueue {
  private final Deque<ObjectKey> queue = new ArrayDeque<>();
  private final Set<ObjectKey> dirty = new HashSet<>();
  private final Set<ObjectKey> processing = new HashSet<>();
  private boolean shutDown;

  synchronized void add(ObjectKey key) {
    if (shutDown || !dirty.add(key)) {
      return;
    }
    if (!processing.contains(key)) {
      queue.addLast(key);
      notifyAll();
    }
  }

  /** The next key, marked as processing; null once the queue is shut down. */
  synchronized ObjectKey take() throws InterruptedException {
    while (queue.isEmpty() && !shutDown) {
      wait();
    }
    if (shutDown) {
      return null;
    }
    ObjectKey key = queue.removeFirst();
    dirty.remove(key);
    processing.add(key);
    return key;
  }

  /** Ends processing of {@code key}; requeues it when it was added while being processed. */
  synchronized void done(ObjectKey key) {
    processing.remove(key);
    if (dirty.contains(key) && !shutDown) {
      queue.addLast(key);
      notifyAll();
    }
  }

  synchronized int size() {
    return queue.size();
  }

  synchronized void shutDown() {
    shutDown = true;
    notifyAll();
  }
}
