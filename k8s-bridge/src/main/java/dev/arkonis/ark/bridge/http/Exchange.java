package dev.arkonis.ark.bridge.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/** One request as a {@link Route} sees it: method, path, query, headers, and a bounded body. */
public final class Exchange {
  private final Request request;
  private final Duration bodyTimeout;
  private volatile boolean bodyRead;
  private volatile boolean bodyFailed;

  Exchange(Request request, Duration bodyTimeout) {
    this.request = request;
    this.bodyTimeout = bodyTimeout;
  }

  public String method() {
    return request.getMethod();
  }

  /** The path as sent, still percent-encoded. */
  public String path() {
    return request.getHttpURI().getPath();
  }

  /** The raw query string, or null. */
  public String rawQuery() {
    return request.getHttpURI().getQuery();
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    return request.getHeaders().get(name);
  }

  /** The body was larger than the route's limit; nothing more of it is read. */
  public static final class TooLarge extends Exception {
    public TooLarge(long limit) {
      super("the request body is larger than " + limit + " bytes", null, false, false);
    }
  }

  /**
   * Reads the body, at most {@code limit} bytes. A declared {@code Content-Length} over the limit
   * is refused before any of the body is read; a chunked body is refused as soon as it passes the
   * limit. After {@link TooLarge} answer with {@code Connection: close}: the rest is never read. A
   * body not received within the server's body timeout closes the connection and fails the read
   * with an {@link IOException}.
   */
  public byte[] body(long limit) throws IOException, TooLarge {
    long declared = request.getLength();
    if (declared > limit) {
      if (declared <= 2 * limit) {
        discard(declared);
      }
      throw new TooLarge(limit);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[16 * 1024];
    long total = 0;
    EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
    Scheduler.Task deadline =
        request
            .getComponents()
            .getScheduler()
            .schedule(
                () -> endPoint.close(new TimeoutException("request body not received in time")),
                bodyTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
    try {
      // not closed: Jetty completes (or, after Connection: close, drops) what is left unread
      InputStream in = Content.Source.asInputStream(request);
      for (int n; (n = in.read(chunk, 0, (int) Math.min(chunk.length, limit + 1 - total))) >= 0; ) {
        body.write(chunk, 0, n);
        total += n;
        if (total > limit) {
          discard(limit);
          throw new TooLarge(limit);
        }
      }
      bodyRead = true;
      return body.toByteArray();
    } catch (IOException e) {
      bodyFailed = true;
      throw e;
    } finally {
      deadline.cancel();
    }
  }

  /**
   * Reads and drops up to {@code max} more bytes of the body, as long as they keep coming (at most
   * {@value #DISCARD_QUIET_MILLIS} ms apart), so that a client still sending a body a little over
   * the limit gets to read the 413 instead of a reset connection. A declared body over twice the
   * limit is not read at all.
   */
  private void discard(long max) {
    long left = max;
    try {
      while (left > 0) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          CountDownLatch more = new CountDownLatch(1);
          request.demand(more::countDown);
          if (!more.await(DISCARD_QUIET_MILLIS, TimeUnit.MILLISECONDS)) {
            return;
          }
          continue;
        }
        if (Content.Chunk.isFailure(chunk)) {
          return;
        }
        left -= chunk.remaining();
        boolean last = chunk.isLast();
        chunk.release();
        if (last) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final long DISCARD_QUIET_MILLIS = 500;

  /** True when reading the body failed: the client was too slow, went away or sent garbage. */
  boolean bodyFailed() {
    return bodyFailed;
  }

  /**
   * True when the request came with a body that was not read to its end (e.g. refused before
   * reading): the answer then closes the connection, since the rest of the body may still be on its
   * way and the client must not send its next request after it.
   */
  boolean bodyLeftUnread() {
    boolean hasBody =
        request.getLength() > 0
            || request.getHeaders().contains(org.eclipse.jetty.http.HttpHeader.TRANSFER_ENCODING);
    return hasBody && !bodyRead;
  }
}
