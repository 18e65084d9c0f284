package dev.arkonis.ark.activities.mcp;

import dev.arkonis.ark.workflows.api.McpServerSpec;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's tool-server clients (MCP, or upstream's HTTP convention: {@link
 * UpstreamHttpClient}), one per server (name, URL, transport, headers), opened on first use and
 * reused by every activity on the worker. Every request is bounded ({@link McpTimeouts}). A request
 * that fails on a reused client (the server restarted, the session expired) closes it and is tried
 * once more on a new one; a failure on a new client is reported as {@link McpUnavailableException}.
 * Errors a tool reports itself come back as error results, not exceptions.
 */
public final class McpClientPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(McpClientPool.class);

  private static final long GRACE_MILLIS = 2_000;

  private final McpTimeouts timeouts;
  private final ExecutorService executor;
  private final McpConnector connector;
  private final Map<Key, Slot> slots = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private record Key(String name, String url, String transport, Map<String, String> headers) {}

  private record Lease(McpConnector.Connection connection, boolean fresh) {}

  /**
   * Clients with headers and timeouts from {@code env} ({@link McpHeaders}, {@link McpTimeouts}).
   */
  public McpClientPool(Map<String, String> env) {
    this(env, McpTimeouts.from(env));
  }

  public McpClientPool(Map<String, String> env, McpTimeouts timeouts) {
    this.timeouts = timeouts;
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "ark-mcp-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.connector = new McpConnector(env == null ? Map.of() : env, timeouts, executor);
  }

  /**
   * The server's tools, fetched fresh.
   *
   * @throws McpUnavailableException when the server cannot be reached
   */
  public List<ServerTool> listTools(McpServerSpec server) {
    return withClient(server, client -> List.copyOf(client.listTools(true)));
  }

  /** The names of the server's tools, from the client's cache when it has them. */
  public List<String> toolNames(McpServerSpec server) {
    return withClient(
        server, client -> client.listTools(false).stream().map(ServerTool::name).toList());
  }

  /**
   * Calls a tool of {@code server}.
   *
   * @param arguments a JSON object
   * @return the tool's text; {@code error} when the tool or the server reports a tool error
   * @throws McpUnavailableException when the server cannot be reached or does not answer in time
   */
  public ToolResult call(McpServerSpec server, String tool, String arguments) {
    return withClient(server, client -> client.call(tool, arguments));
  }

  /**
   * The transport of the server's open client ({@code sse}, {@code streamable-http}, {@code http}),
   * or null.
   */
  public String transport(McpServerSpec server) {
    Slot slot = slots.get(key(server));
    McpConnector.Connection connection = slot == null ? null : slot.connection;
    return connection == null ? null : connection.transport();
  }

  private interface Operation<T> {
    T apply(ToolServerClient client) throws Exception;
  }

  private <T> T withClient(McpServerSpec server, Operation<T> operation) {
    Slot slot = slots.computeIfAbsent(key(server), k -> new Slot());
    Lease lease = slot.acquire(server);
    try {
      return timed(server, lease.connection().client(), operation);
    } catch (McpUnavailableException e) {
      slot.discard(lease.connection());
      if (lease.fresh() || e.getCause() instanceof TimeoutException) {
        throw e;
      }
      log.info(
          "MCP server {}: request failed on a reused connection ({}); reconnecting",
          server.name(),
          e.reason());
      Lease again = slot.acquire(server);
      try {
        return timed(server, again.connection().client(), operation);
      } catch (McpUnavailableException retry) {
        slot.discard(again.connection());
        throw retry;
      }
    }
  }

  private <T> T timed(McpServerSpec server, ToolServerClient client, Operation<T> operation) {
    Callable<T> task = () -> operation.apply(client);
    Future<T> future = executor.submit(task);
    try {
      return future.get(timeouts.request().toMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new McpUnavailableException(server, noAnswer(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof TimeoutException) {
        throw new McpUnavailableException(server, noAnswer(), cause);
      }
      throw new McpUnavailableException(server, McpUnavailableException.reason(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new McpUnavailableException(server, "interrupted", e);
    }
  }

  private String noAnswer() {
    return "no answer within " + timeouts.request().toSeconds() + " s";
  }

  private static Key key(McpServerSpec server) {
    return new Key(
        server.name(),
        server.url() == null ? "" : server.url().strip(),
        McpConnector.transport(server),
        server.headers());
  }

  /** Closes every client; later requests fail. */
  @Override
  public void close() {
    closed = true;
    List<Slot> all = new ArrayList<>(slots.values());
    slots.clear();
    all.forEach(Slot::closeConnection);
    executor.shutdownNow();
  }

  /** One server's client, connected on demand; callers wait while it connects. */
  private final class Slot {
    private McpConnector.Connection connection;

    synchronized Lease acquire(McpServerSpec server) {
      if (closed) {
        throw new McpUnavailableException(server, "the worker is shutting down", null);
      }
      if (connection != null) {
        return new Lease(connection, false);
      }
      connection = connector.connect(server);
      return new Lease(connection, true);
    }

    synchronized void discard(McpConnector.Connection broken) {
      if (connection == broken) {
        connection = null;
      }
      McpConnector.closeQuietly(broken.client());
    }

    synchronized void closeConnection() {
      if (connection != null) {
        McpConnector.closeQuietly(connection.client());
        connection = null;
      }
    }
  }
}
