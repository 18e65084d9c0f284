package dev.arkonis.ark.workflows.run;

/**
 * Thrown inside a step to end the whole run in a phase other than Failed-by-error (budget
 * exhausted) or to fail it with a message meant for the user.
 */
final class RunStop extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String phase;

  RunStop(String phase, String message) {
    super(message, null, false, false);
    this.phase = phase;
  }

  String phase() {
    return phase;
  }
}
