package dev.arkonis.ark.bridge.http;

import java.time.Duration;

/**
 * The limits of one {@link EmbeddedServer}: what a slow, large or numerous client can take from it.
 *
 * @param idleTimeout a connection on which nothing is read or written for this long is closed
 * @param headerTimeout the period of the request-head check: a connection whose request head
 *     (request line and headers) kept trickling in over two checks without being finished is closed
 *     (slowloris), i.e. two to three periods after its first bytes
 * @param maxHeaderBytes largest request head; larger gets 431
 * @param threads request-handling threads (the pool also runs the acceptor and selector)
 * @param maxConnections open connections; beyond it the server stops accepting until some close
 * @param bodyTimeout a route reading a request body for longer than this gets an I/O error and the
 *     connection is closed, so a slowly sent body holds a request thread at most this long
 */
public record HttpLimits(
    Duration idleTimeout,
    Duration headerTimeout,
    int maxHeaderBytes,
    int threads,
    int maxConnections,
    Duration bodyTimeout) {

  /**
   * Webhooks and admission: 30 s idle, 10 s per request head, 8 KiB heads, 32 threads, 1024
   * connections, 30 s per body.
   */
  public static final HttpLimits DEFAULT =
      new HttpLimits(
          Duration.ofSeconds(30),
          Duration.ofSeconds(10),
          8 * 1024,
          32,
          1024,
          Duration.ofSeconds(30));

  /** Health probes: the same timeouts with 4 threads and 64 connections. */
  public static final HttpLimits SMALL = DEFAULT.withThreads(4).withMaxConnections(64);

  public HttpLimits {
    if (idleTimeout.isNegative()
        || idleTimeout.isZero()
        || headerTimeout.isNegative()
        || headerTimeout.isZero()
        || bodyTimeout.isNegative()
        || bodyTimeout.isZero()) {
      throw new IllegalArgumentException("the timeouts must be positive");
    }
    if (maxHeaderBytes < 1024 || threads <= 0 || maxConnections <= 0) {
      throw new IllegalArgumentException(
          "maxHeaderBytes must be at least 1024, threads and maxConnections positive");
    }
  }

  public HttpLimits withTimeouts(Duration idle, Duration header, Duration body) {
    return new HttpLimits(idle, header, maxHeaderBytes, threads, maxConnections, body);
  }

  public HttpLimits withThreads(int count) {
    return new HttpLimits(
        idleTimeout, headerTimeout, maxHeaderBytes, count, maxConnections, bodyTimeout);
  }

  public HttpLimits withMaxConnections(int count) {
    return new HttpLimits(idleTimeout, headerTimeout, maxHeaderBytes, threads, count, bodyTimeout);
  }
}
