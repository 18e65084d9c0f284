package dev.arkonis.ark.bridge.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's embedded HTTP server (Jetty 12, core API, no servlets): one per port, each surface
 * — ArkEvent webhooks, the admission webhook, health probes — registering its routes on the port it
 * serves. Every server has the same defences ({@link HttpLimits}): a bounded thread pool and queue,
 * a connection limit, an idle timeout, a deadline for request heads (slowloris), a head size limit
 * (431), a minimum body rate, body limits per route ({@link Exchange#body}), and answers without
 * exception text: an uncaught exception is logged at WARN with the path and answered {@code
 * {"error": "internal error; see the operator's log"}}; Jetty's own refusals (bad request line,
 * head too large) are short JSON errors too.
 *
 * <pre>{@code
 * EmbeddedServer server =
 *     EmbeddedServer.builder("webhook", "0.0.0.0", 8081, HttpLimits.DEFAULT)
 *         .route("/triggers/", webhooks::handle)
 *         .start();
 * }</pre>
 */
public final class EmbeddedServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

  private final String name;
  private final Server server;
  private final ServerConnector connector;

  private EmbeddedServer(String name, Server server, ServerConnector connector) {
    this.name = name;
    this.server = server;
    this.connector = connector;
  }

  /**
   * @param name what the server is for, in thread names and log lines ({@code webhook}, {@code
   *     admission}, {@code health})
   * @param host the address to listen on ({@code 0.0.0.0}: all interfaces)
   * @param port 0 = any free port (see {@link #port()})
   */
  public static Builder builder(String name, String host, int port, HttpLimits limits) {
    return new Builder(name, host, port, limits);
  }

  /** The port the server listens on. */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("{} server: cannot stop cleanly: {}", name, e.toString());
    }
  }

  /** Routes, TLS and limits of a server to start. */
  public static final class Builder {
    private final String name;
    private final String host;
    private final int port;
    private final HttpLimits limits;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final Map<String, StreamRoute> streams = new LinkedHashMap<>();
    private Route fallback;
    private SSLContext tls;

    private Builder(String name, String host, int port, HttpLimits limits) {
      this.name = name;
      this.host = host;
      this.port = port;
      this.limits = limits;
    }

    /**
     * Serves {@code path} with {@code route}: a path ending in {@code /} is a prefix (its whole
     * subtree), any other path matches exactly. The longest matching path wins.
     */
    public Builder route(String path, Route route) {
      if (routes.putIfAbsent(path, route) != null) {
        throw new IllegalArgumentException("path " + path + " is routed twice");
      }
      return this;
    }

    /** Serves exactly {@code path} (GET) with a stream of Server-Sent Events. */
    public Builder stream(String path, StreamRoute route) {
      if (routes.containsKey(path) || streams.putIfAbsent(path, route) != null) {
        throw new IllegalArgumentException("path " + path + " is routed twice");
      }
      return this;
    }

    /** Answers the paths no route matches (default: 404 {@code {"error": "no such endpoint"}}). */
    public Builder fallback(Route route) {
      this.fallback = route;
      return this;
    }

    /** Serves HTTPS with this context (its key manager may change the certificate at any time). */
    public Builder tls(SSLContext context) {
      this.tls = context;
      return this;
    }

    /**
     * Listens and serves.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public EmbeddedServer start() {
      // the acceptor and the selector take one thread each, Jetty reserves one more; the job queue
      // stays unbounded as Jetty requires (its own tasks go there): the connection limit bounds it
      QueuedThreadPool pool =
          new QueuedThreadPool(limits.threads() + 3, Math.min(4, limits.threads() + 3), 60_000);
      pool.setName("ark-" + name);
      pool.setDaemon(true);
      Server server = new Server(pool);
      server.setErrorHandler(new JsonErrors());
      HttpConfiguration http = new HttpConfiguration();
      http.setRequestHeaderSize(limits.maxHeaderBytes());
      http.setIdleTimeout(limits.idleTimeout().toMillis());
      http.setSendServerVersion(false);
      http.setSendXPoweredBy(false);
      // routes match the raw, still-encoded path against their own strict patterns and never map
      // it to files: an ambiguous path (e.g. %2E%2E) is theirs to refuse, with their 404 message
      http.setUriCompliance(
          UriCompliance.DEFAULT.with(
              "ARK_RAW_PATHS",
              UriCompliance.AMBIGUOUS_VIOLATIONS.toArray(UriCompliance.Violation[]::new)));
      List<ConnectionFactory> factories = new ArrayList<>();
      if (tls != null) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls);
        factories.add(new SslConnectionFactory(ssl, "http/1.1"));
      }
      factories.add(new HttpConnectionFactory(http));
      ServerConnector connector =
          new ServerConnector(server, 1, 1, factories.toArray(ConnectionFactory[]::new));
      connector.setHost(host);
      connector.setPort(port);
      connector.setIdleTimeout(limits.idleTimeout().toMillis());
      connector.setAcceptQueueSize(128);
      server.addConnector(connector);
      server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
      server.setHandler(
          new Routes(
              name, Map.copyOf(routes), Map.copyOf(streams), fallback, limits.bodyTimeout()));
      server.setStopTimeout(0);
      try {
        server.start();
      } catch (IOException e) {
        stopQuietly(server);
        throw new UncheckedIOException(
            "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
      } catch (Exception e) {
        stopQuietly(server);
        throw new IllegalStateException(
            "cannot start the " + name + " server on port " + port + ": " + e.getMessage(), e);
      }
      HeadDeadline.schedule(connector, limits.headerTimeout().toMillis());
      return new EmbeddedServer(name, server, connector);
    }

    private static void stopQuietly(Server server) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // nothing was served
      }
    }
  }

  /** Dispatches to the routes and writes their replies. */
  private static final class Routes extends Handler.Abstract {
    private final String name;
    private final Map<String, Route> routes;
    private final Map<String, StreamRoute> streams;
    private final Route fallback;
    private final java.time.Duration bodyTimeout;

    Routes(
        String name,
        Map<String, Route> routes,
        Map<String, StreamRoute> streams,
        Route fallback,
        java.time.Duration bodyTimeout) {
      this.name = name;
      this.routes = routes;
      this.streams = streams;
      this.fallback = fallback;
      this.bodyTimeout = bodyTimeout;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Exchange exchange = new Exchange(request, bodyTimeout);
      String path = exchange.path();
      StreamRoute stream = streams.get(path);
      if (stream != null && "GET".equals(request.getMethod())) {
        EventStream events = new EventStream(response, callback);
        try {
          stream.open(exchange, events);
        } catch (Exception | LinkageError e) {
          LOG.warn("{} server: GET {}: {}", name, path, e.toString(), e);
          events.close();
        }
        return true;
      }
      CompletionStage<Reply> reply;
      try {
        Route route = route(path);
        reply =
            route == null
                ? CompletableFuture.completedFuture(Reply.error(404, "no such endpoint " + path))
                : route.handle(exchange);
      } catch (Exception | LinkageError e) {
        reply = CompletableFuture.failedFuture(e);
      }
      reply.whenComplete(
          (answer, error) -> {
            Reply out = answer;
            Throwable cause = unwrap(error);
            if (cause instanceof IOException && exchange.bodyFailed()) {
              // the client: too slow, gone, or a broken body — not an internal error
              LOG.debug("{} server: {} {}: {}", name, request.getMethod(), path, cause.toString());
              out = Reply.error(400, "cannot read the request body; send it again");
            } else if (error != null || answer == null) {
              LOG.warn(
                  "{} server: {} {}: {}",
                  name,
                  request.getMethod(),
                  path,
                  cause == null ? "no reply" : cause.toString(),
                  cause);
              out = Reply.error(500, "internal error; see the operator's log");
            }
            if (exchange.bodyLeftUnread()) {
              out = out.withHeader("Connection", "close");
            }
            send(response, out, callback);
          });
      return true;
    }

    private Route route(String path) {
      Route best = null;
      int length = -1;
      for (Map.Entry<String, Route> entry : routes.entrySet()) {
        String key = entry.getKey();
        boolean matches = key.endsWith("/") ? path.startsWith(key) : path.equals(key);
        if (matches && key.length() > length) {
          best = entry.getValue();
          length = key.length();
        }
      }
      return best == null ? fallback : best;
    }

    private void send(Response response, Reply reply, Callback callback) {
      if (reply.stream() != null) {
        EventStream events = new EventStream(response, callback);
        reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        try {
          reply.stream().accept(events);
        } catch (RuntimeException | LinkageError e) {
          LOG.warn("{} server: stream: {}", name, e.toString(), e);
          events.close();
        }
        return;
      }
      try {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
      } catch (RuntimeException e) {
        callback.failed(e);
      }
    }

    private static Throwable unwrap(Throwable error) {
      Throwable e = error;
      while ((e instanceof CompletionException || e instanceof ExecutionException)
          && e.getCause() != null) {
        e = e.getCause();
      }
      return e;
    }
  }

  /**
   * Closes connections that keep sending a request head without finishing it (slowloris): every
   * {@code period}, a connection that is between requests, received bytes during the last two
   * periods and completed no request head in them is closed. Such a client holds no thread (Jetty
   * parses heads on the selector) — only a connection, which this gives back; idle connections are
   * left to the idle timeout.
   */
  static final class HeadDeadline {
    private final ServerConnector connector;
    private final Map<Object, long[]> seen = new java.util.concurrent.ConcurrentHashMap<>();

    private HeadDeadline(ServerConnector connector) {
      this.connector = connector;
    }

    static void schedule(ServerConnector connector, long periodMillis) {
      new HeadDeadline(connector).next(connector.getScheduler(), periodMillis);
    }

    private void next(Scheduler scheduler, long periodMillis) {
      if (!connector.isRunning()) {
        return;
      }
      scheduler.schedule(
          () -> {
            try {
              sweep();
            } catch (RuntimeException e) {
              LOG.debug("request head deadline: {}", e.toString());
            }
            next(scheduler, periodMillis);
          },
          periodMillis,
          TimeUnit.MILLISECONDS);
    }

    private void sweep() {
      java.util.Set<Object> alive = new java.util.HashSet<>();
      for (org.eclipse.jetty.io.EndPoint endPoint : connector.getConnectedEndPoints()) {
        org.eclipse.jetty.io.Connection connection = endPoint.getConnection();
        if (connection instanceof org.eclipse.jetty.io.ssl.SslConnection tls) {
          connection = tls.getSslEndPoint().getConnection();
        }
        if (!(connection instanceof org.eclipse.jetty.server.internal.HttpConnection http)) {
          continue;
        }
        alive.add(http);
        long requests = http.getMessagesIn();
        long bytes = http.getBytesIn();
        boolean between = requests == http.getMessagesOut();
        long[] last = seen.get(http);
        // last = {requests, bytes, periods with trickling bytes and no new head}
        long strikes = 0;
        if (last != null && between && requests == last[0] && bytes > last[1]) {
          strikes = last[2] + 1;
        }
        if (strikes >= 2) {
          LOG.debug(
              "closing {}: request head not complete in time", endPoint.getRemoteSocketAddress());
          endPoint.close(new java.util.concurrent.TimeoutException("request head too slow"));
          continue;
        }
        seen.put(http, new long[] {requests, bytes, strikes});
      }
      seen.keySet().retainAll(alive);
    }
  }

  /** Jetty's own refusals (bad request line, head too large, ...) as short JSON errors. */
  private static final class JsonErrors extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    protected void generateResponse(
        Request request,
        Response response,
        int code,
        String message,
        Throwable cause,
        Callback callback) {
      Reply reply = Reply.error(code, genericMessage(code));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
      response.write(true, ByteBuffer.wrap(reply.body()), callback);
    }

    @Override
    public ByteBuffer badMessageError(
        int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
      Reply reply = Reply.error(status, genericMessage(status));
      fields.put(HttpHeader.CONTENT_TYPE, reply.contentType());
      return ByteBuffer.wrap(reply.body());
    }

    private static String genericMessage(int code) {
      return switch (code) {
        case 400 -> "bad request: the request line or headers cannot be parsed";
        case 408 -> "the request was not received in time";
        case 413 -> "the request body is too large";
        case 414 -> "the request URI is too long";
        case 431 -> "the request headers are too large";
        default ->
            code >= 500
                ? "internal error; see the operator's log"
                : "the request was refused (HTTP " + code + ")";
      };
    }
  }
}
