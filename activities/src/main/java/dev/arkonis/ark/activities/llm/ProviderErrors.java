package dev.arkonis.ark.activities.llm;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnresolvedModelServerException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.util.function.UnaryOperator;

/**
 * Turns provider errors into Temporal failures: bad keys and invalid requests fail for good, rate
 * limits, server errors, timeouts and network errors are retried by the activity's retry policy
 * (every model is built with {@code maxRetries(0)}). Messages name the provider and what to do, and
 * never carry an API key.
 */
final class ProviderErrors {
  private static final int MAX_DETAIL = 400;

  private ProviderErrors() {}

  static ApplicationFailure toFailure(
      RuntimeException error, String provider, String model, UnaryOperator<String> redact) {
    if (error instanceof ApplicationFailure failure) {
      return failure;
    }
    int status = status(error);
    String code = status > 0 ? " (" + status + ")" : "";
    String detail = redact.apply(detail(error));
    if (error instanceof AuthenticationException) {
      return authFailure(provider, code);
    }
    if (error instanceof ModelNotFoundException) {
      return invalid(
          provider
              + " does not know model '"
              + model
              + "'"
              + code
              + ": "
              + detail
              + "; check the agent's model");
    }
    if (error instanceof UnresolvedModelServerException) {
      return invalid(
          "cannot resolve the "
              + provider
              + " server: "
              + detail
              + "; check "
              + ModelFactory.urlVariable(provider));
    }
    if (error instanceof NonRetriableException
        || error instanceof UnsupportedFeatureException
        || error instanceof IllegalArgumentException) {
      return invalid(provider + " rejected the request" + code + ": " + detail);
    }
    if (error instanceof RateLimitException) {
      return retryable(provider + " rate limit hit" + code + ": " + detail);
    }
    if (error instanceof TimeoutException || hasCause(error, HttpTimeoutException.class)) {
      return retryable(provider + " did not answer in time" + code + ": " + detail);
    }
    if (status >= 500) {
      return retryable(provider + " server error" + code + ": " + detail);
    }
    if (hasCause(error, IOException.class) || error instanceof UncheckedIOException) {
      return retryable(
          "cannot reach "
              + provider
              + ": "
              + detail
              + " (check "
              + ModelFactory.urlVariable(provider)
              + " and the network)");
    }
    if (error instanceof RetriableException) {
      return retryable(provider + " is unavailable" + code + ": " + detail);
    }
    return retryable(
        provider + " call failed: " + error.getClass().getSimpleName() + ": " + detail);
  }

  /** The provider refused the key (or there is none). */
  static ApplicationFailure authFailure(String provider, String code) {
    String variable = ModelFactory.keyVariable(provider);
    String fix =
        variable == null
            ? "; check " + ModelFactory.urlVariable(provider) + " and the server's credentials"
            : "; set " + variable + " for the agent's workers";
    return ApplicationFailure.newNonRetryableFailure(
        provider + " rejected the API key" + code + fix, AgentActivities.AUTH_ERROR);
  }

  /** No key in the worker's environment for a provider that needs one. */
  static ApplicationFailure missingKey(String provider) {
    return ApplicationFailure.newNonRetryableFailure(
        "no API key for "
            + provider
            + "; set "
            + ModelFactory.keyVariable(provider)
            + " for the agent's workers, or use provider mock",
        AgentActivities.AUTH_ERROR);
  }

  static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, AgentActivities.INVALID_REQUEST);
  }

  static ApplicationFailure retryable(String message) {
    return ApplicationFailure.newFailure(message, AgentActivities.PROVIDER_UNAVAILABLE);
  }

  private static int status(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof HttpException http) {
        return http.statusCode();
      }
    }
    return 0;
  }

  /** The most specific message: the HTTP body when there is one, else the root cause's message. */
  private static String detail(Throwable error) {
    Throwable root = error;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof HttpException) {
        root = t;
        break;
      }
      root = t;
    }
    String message = root.getMessage();
    if (message == null || message.isBlank()) {
      message = root.getClass().getSimpleName();
    }
    message = message.replaceAll("\\s+", " ").strip();
    return message.length() <= MAX_DETAIL ? message : message.substring(0, MAX_DETAIL) + "…";
  }

  private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
