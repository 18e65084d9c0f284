package dev.arkonis.ark.cli;

/** A mistake the user can fix: printed as one line, exit code 2, no stack trace. */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserError(String message) {
    super(message, null, false, false);
  }
}
