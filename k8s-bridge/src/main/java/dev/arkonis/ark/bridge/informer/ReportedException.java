package dev.arkonis.ark.bridge.informer;

/**
 * A reconcile failure the reconciler has already shown to the user (a condition on the object and a
 * Warning Event). Throwing it makes the {@link Controller} try again with backoff, logging it on
 * one line at debug level only: the user sees it on the object, not in the operator's log.
 */
public final class ReportedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;

  /**
   * @param reason the CamelCase reason of the condition and Event, e.g. {@code Forbidden}
   * @param message the condition and Event message
   */
  public ReportedException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
