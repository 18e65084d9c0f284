package dev.arkonis.ark.activities.mcp;

import dev.arkonis.ark.workflows.api.McpServerSpec;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;

/**
 * An MCP server could not be reached or stopped answering (connection refused, timeout, transport
 * error) — an infrastructure failure, as opposed to an error the tool itself reports.
 */
public final class McpUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_REASON = 300;

  private final String server;
  private final String url;
  private final String reason;

  McpUnavailableException(McpServerSpec server, String reason, Throwable cause) {
    super("MCP server " + server.name() + " (" + server.url() + ") unreachable: " + reason, cause);
    this.server = server.name();
    this.url = server.url();
    this.reason = reason;
  }

  /** The server's name. */
  public String server() {
    return server;
  }

  /** The server's URL. */
  public String url() {
    return url;
  }

  /** Why it is unreachable, e.g. {@code connection refused}. */
  public String reason() {
    return reason;
  }

  /** A short, readable reason for {@code error} (the root cause, without stack noise). */
  static String reason(Throwable error) {
    Throwable root = error;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      root = t;
      if (t instanceof TimeoutException
          || t instanceof HttpTimeoutException
          || t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException) {
        break;
      }
    }
    if (root instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    if (root instanceof ConnectException) {
      return root.getMessage() == null || root.getMessage().isBlank()
          ? "connection refused"
          : root.getMessage().replaceAll("\\s+", " ").strip();
    }
    if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
      return "unknown host";
    }
    String message = root.getMessage();
    if (message == null || message.isBlank()) {
      message = root.getClass().getSimpleName();
    }
    message = message.replaceAll("\\s+", " ").strip();
    return message.length() <= MAX_REASON ? message : message.substring(0, MAX_REASON) + "…";
  }

  /** Whether the failure shows that nothing answers at the address (no point trying SSE). */
  static boolean isConnectFailure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof HttpConnectTimeoutException
          || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException
          || t instanceof TimeoutException
          || t instanceof HttpTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
