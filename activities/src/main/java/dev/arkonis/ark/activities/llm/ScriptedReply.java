package dev.arkonis.ark.activities.llm;

import dev.arkonis.ark.workflows.api.ChatMessage.ToolCall;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import java.net.ConnectException;
import java.util.List;
import java.util.Locale;

/**
 * One reply of a scripted {@link MockChatModel}: an answer (text and/or tool calls, optional token
 * usage) or an error to throw. See {@link MockChatModel} for the script file format.
 *
 * @param text the answer text, or null
 * @param toolCalls tool calls to return (an id is generated when one is blank)
 * @param inputTokens reported input tokens, or null to estimate (characters / 4)
 * @param outputTokens reported output tokens, or null to estimate
 * @param error null for an answer, else the error to throw: {@code auth} (401), {@code forbidden}
 *     (403), {@code invalid} (400), {@code not-found} (404), {@code timeout} (408), {@code
 *     rate-limit} (429), {@code server} (500), {@code unavailable} (503), {@code connection}
 *     (connection refused), or any 4xx/5xx status code such as {@code "502"}
 * @param errorMessage message of the error (defaults to a description of the error)
 */
public record ScriptedReply(
    String text,
    List<ToolCall> toolCalls,
    Integer inputTokens,
    Integer outputTokens,
    String error,
    String errorMessage) {
  public ScriptedReply {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    if (error != null) {
      exception(error, errorMessage); // fail fast on an unknown error kind
    }
  }

  /** A plain text answer. */
  public static ScriptedReply text(String text) {
    return new ScriptedReply(text, List.of(), null, null, null, null);
  }

  /** An answer asking for tool calls. */
  public static ScriptedReply toolCalls(ToolCall... calls) {
    return new ScriptedReply(null, List.of(calls), null, null, null, null);
  }

  /** An error to throw instead of answering; {@code kind} as in the record description. */
  public static ScriptedReply error(String kind) {
    return new ScriptedReply(null, List.of(), null, null, kind, null);
  }

  /** An error with a message (as a provider would put in its response body). */
  public static ScriptedReply error(String kind, String message) {
    return new ScriptedReply(null, List.of(), null, null, kind, message);
  }

  /** This reply with reported token usage. */
  public ScriptedReply withUsage(int input, int output) {
    return new ScriptedReply(text, toolCalls, input, output, error, errorMessage);
  }

  /** True when this reply throws instead of answering. */
  public boolean isError() {
    return error != null;
  }

  /** The exception this reply throws, shaped as langchain4j's provider clients shape theirs. */
  public RuntimeException toException() {
    return exception(error, errorMessage);
  }

  private static RuntimeException exception(String kind, String message) {
    String k = kind.trim().toLowerCase(Locale.ROOT);
    int status =
        switch (k) {
          case "auth", "authentication" -> 401;
          case "forbidden" -> 403;
          case "invalid", "invalid-request" -> 400;
          case "not-found", "model-not-found" -> 404;
          case "timeout" -> 408;
          case "rate-limit", "ratelimit" -> 429;
          case "server", "internal" -> 500;
          case "unavailable", "overloaded" -> 503;
          case "connection", "io" -> 0;
          default -> k.matches("[45]\\d\\d") ? Integer.parseInt(k) : -1;
        };
    if (status < 0) {
      throw new IllegalArgumentException(
          "unknown scripted error '"
              + kind
              + "'; use auth, forbidden, invalid, not-found, rate-limit, server, unavailable,"
              + " timeout, connection or an HTTP status such as 502");
    }
    if (status == 0) {
      return new LangChain4jException(
          new ConnectException(orDefault(message, "connection refused")));
    }
    HttpException http = new HttpException(status, orDefault(message, "HTTP " + status));
    return switch (status) {
      case 401, 403 -> new AuthenticationException(http);
      case 404 -> new ModelNotFoundException(http);
      case 408 -> new TimeoutException(http);
      case 429 -> new RateLimitException(http);
      default ->
          status >= 500 ? new InternalServerException(http) : new InvalidRequestException(http);
    };
  }

  private static String orDefault(String message, String fallback) {
    return message == null || message.isBlank() ? fallback : message;
  }
}
