package dev.arkonis.ark.bridge.http;

/**
 * A route answering with a stream of Server-Sent Events. {@link #open} runs on a request thread and
 * must not block: it registers the stream with whatever feeds it and returns; the response stays
 * open, holding no thread, until the stream is closed or the client goes away.
 */
@FunctionalInterface
public interface StreamRoute {
  void open(Exchange exchange, EventStream stream) throws Exception;
}
