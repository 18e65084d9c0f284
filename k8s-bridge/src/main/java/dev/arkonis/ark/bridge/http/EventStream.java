package dev.arkonis.ark.bridge.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One open Server-Sent Events response ({@code text/event-stream}) of a {@link StreamRoute}. Sends
 * never block: messages are queued and written one after the other without holding a thread; a
 * client that does not read (more than {@value #MAX_QUEUED} messages behind) or whose connection
 * fails is closed, and the {@link #onClose} actions run once. An {@code EventSource} in the browser
 * reconnects by itself.
 */
public final class EventStream {
  /** Messages queued for a slow client before its stream is closed. */
  static final int MAX_QUEUED = 2000;

  private final Response response;
  private final Callback done;
  private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
  private final List<Runnable> closeActions = new ArrayList<>();
  private boolean writing;
  private boolean closing;
  private boolean closed;

  EventStream(Response response, Callback done) {
    this.response = response;
    this.done = done;
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    // reverse proxies (nginx) would otherwise buffer the stream
    response.getHeaders().put("X-Accel-Buffering", "no");
  }

  /**
   * Queues one event; {@code data} may span lines (each becomes a {@code data:} line).
   *
   * @return false when the stream is closed
   */
  public boolean send(String event, String data) {
    StringBuilder message = new StringBuilder();
    if (event != null) {
      message.append("event: ").append(event.replaceAll("[\r\n]", "")).append('\n');
    }
    for (String line : data.split("\r\n|\r|\n", -1)) {
      message.append("data: ").append(line).append('\n');
    }
    return enqueue(message.append('\n').toString());
  }

  /** Queues a comment line (a heartbeat: keeps proxies and the idle timeout from closing it). */
  public boolean comment(String text) {
    return enqueue(": " + text.replaceAll("[\r\n]", " ") + "\n\n");
  }

  /** Runs {@code action} once when the stream closes (at once if it is closed already). */
  public void onClose(Runnable action) {
    synchronized (this) {
      if (!closed) {
        closeActions.add(action);
        return;
      }
    }
    action.run();
  }

  public synchronized boolean isOpen() {
    return !closed && !closing;
  }

  /** Ends the response after what is queued. */
  public void close() {
    synchronized (this) {
      if (closed || closing) {
        return;
      }
      closing = true;
    }
    pump();
  }

  private boolean enqueue(String message) {
    synchronized (this) {
      if (closed || closing) {
        return false;
      }
      if (queue.size() >= MAX_QUEUED) {
        queue.clear();
        closing = true;
      } else {
        queue.add(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
      }
    }
    pump();
    return true;
  }

  private void pump() {
    ByteBuffer next;
    boolean last = false;
    synchronized (this) {
      if (writing || closed) {
        return;
      }
      next = queue.poll();
      if (next == null) {
        if (!closing) {
          return;
        }
        last = true;
        next = ByteBuffer.allocate(0);
      }
      writing = true;
    }
    boolean end = last;
    try {
      response.write(
          end,
          next,
          Callback.from(
              () -> {
                if (end) {
                  finish(null);
                } else {
                  synchronized (this) {
                    writing = false;
                  }
                  pump();
                }
              },
              this::finish));
    } catch (RuntimeException e) {
      finish(e);
    }
  }

  private void finish(Throwable failure) {
    List<Runnable> actions;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
      actions = List.copyOf(closeActions);
      closeActions.clear();
    }
    if (failure == null) {
      done.succeeded();
    } else {
      done.failed(failure);
    }
    for (Runnable action : actions) {
      action.run();
    }
  }
}
