package dev.arkonis.ark.activities.spec;

/** A problem with user input that a message alone explains (no stack trace needed). */
public final class SpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SpecException(String message) {
    super(message, null, false, false);
  }
}
